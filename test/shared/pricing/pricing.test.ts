import { calculateAiCost, estimateCost, infrastructureCost, parsePriceTable, PRICE_TABLE, PricingError, priceOn } from '../../../shared/pricing';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
const NOW = day('2026-11-26');

describe('pricing', () => {
  describe('calculateAiCost', () => {
    it("prices the seed's per-character models exactly, in micro-USD", () => {
      // 2,000 input chars × $0.00002/1K + 5,000 output chars × $0.00006/1K = $0.00004 + $0.0003
      expect(calculateAiCost(PRICE_TABLE, { model: 'gemini-1.5-flash', inputChars: 2000, outputChars: 5000 }, NOW).amountMicros).toBe(340);
      expect(calculateAiCost(PRICE_TABLE, { model: 'gemini-1.5-pro', inputChars: 1_000_000, outputChars: 1_000_000 }, NOW).amountMicros).toBe(200_000);
    });

    it('adds the per-image price for gemini-pro-vision', () => {
      // 1,000 chars × $0.00005/1K + 2 images × $0.0025 = $0.00005 + $0.005
      expect(calculateAiCost(PRICE_TABLE, { model: 'gemini-pro-vision', inputChars: 1000, images: 2 }, NOW).amountMicros).toBe(5050);
    });

    it('prices tokens per million and applies the long-context tier to the whole call', () => {
      const short = calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-pro', inputTokens: 100_000, outputTokens: 10_000 }, NOW);
      expect(short).toMatchObject({ amountMicros: 225_000, longContext: false }); // $0.125 + $0.10
      const long = calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-pro', inputTokens: 300_000, outputTokens: 10_000 }, NOW);
      expect(long).toMatchObject({ amountMicros: 900_000, longContext: true }); // $0.75 + $0.15
    });

    it('uses the price in force on the day the usage happened', () => {
      const usage = { model: 'gemini-3.8-flash', inputTokens: 1_000_000, outputTokens: 0 };
      expect(calculateAiCost(PRICE_TABLE, usage, day('2026-12-31')).amountMicros).toBe(750_000);
      expect(calculateAiCost(PRICE_TABLE, usage, day('2027-01-01')).amountMicros).toBe(1_500_000);
      expect(() => calculateAiCost(PRICE_TABLE, usage, day('2026-08-01'))).toThrow(PricingError);
    });

    it('rounds half up to the micro-dollar once per call', () => {
      // 1 token at $0.30/1M = 0.3 micro → 0; 2 tokens = 0.6 → 1
      expect(calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputTokens: 1 }, NOW).amountMicros).toBe(0);
      expect(calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputTokens: 2 }, NOW).amountMicros).toBe(1);
    });

    it('refuses a model with no price instead of pricing it at $0', () => {
      expect(() => calculateAiCost(PRICE_TABLE, { model: 'gpt-4o', inputTokens: 10 }, NOW)).toThrow(/no price for model "gpt-4o"/);
    });

    it('refuses usage in the wrong unit and images without an image price', () => {
      expect(() => calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputChars: 400 }, NOW)).toThrow(/priced per token/);
      expect(() => calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputTokens: 10, outputChars: 400 }, NOW)).toThrow(/priced per token/);
      expect(() => calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputTokens: 4, images: 1 }, NOW)).toThrow(/no per-image price/);
    });
  });

  describe('estimateCost', () => {
    it('bounds a call by its prompt and maximum output', () => {
      expect(estimateCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputTokens: 1000, maxOutputTokens: 1000 }, NOW)).toBe(2800);
    });

    it('converts text length at 4 characters per token', () => {
      expect(estimateCost(PRICE_TABLE, { model: 'gemini-2.5-flash', inputChars: 4000, maxOutputTokens: 1000 }, NOW)).toBe(2800);
      expect(estimateCost(PRICE_TABLE, { model: 'gemini-1.5-flash', inputChars: 2000, maxOutputTokens: 1250 }, NOW)).toBe(340);
    });
  });

  describe('infrastructureCost', () => {
    it("applies the seed's rates", () => {
      expect(infrastructureCost.storage(PRICE_TABLE, 10)).toBe(200_000);
      expect(infrastructureCost.egress(PRICE_TABLE, 1)).toBe(120_000);
      expect(infrastructureCost.firestoreReads(PRICE_TABLE, 100_000)).toBe(60_000);
      expect(infrastructureCost.firestoreWrites(PRICE_TABLE, 100_000)).toBe(180_000);
      expect(infrastructureCost.cloudRunVcpu(PRICE_TABLE, 3600)).toBe(86_400);
      expect(infrastructureCost.cloudRunMemory(PRICE_TABLE, 0.5)).toBe(1);
      expect(infrastructureCost.redis(PRICE_TABLE, 1)).toBe(54_000);
    });
  });

  describe('price table', () => {
    it('names a source and an effective date for every price', () => {
      for (const p of PRICE_TABLE.models) {
        expect(p.source).toMatch(/\S/);
        expect(p.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
      expect(priceOn(PRICE_TABLE, 'gemini-2.5-pro', NOW)?.cheaperAlternative).toBe('gemini-2.5-flash');
    });

    it('refuses bad price data at load', () => {
      const entry = { model: 'm', unit: 'token', per: 1_000_000, input: '1', output: '2', effectiveFrom: '2026-01-01', source: 's' };
      expect(() => parsePriceTable({ models: [{ ...entry, input: '-1' }], infrastructure: [] })).toThrow(/models\.0\.input/);
      expect(() => parsePriceTable({ models: [entry, entry], infrastructure: [] })).toThrow(/duplicate price/);
      expect(() => parsePriceTable({ models: [{ ...entry, cheaperAlternative: 'x' }], infrastructure: [] })).toThrow(/x has no price/);
    });
  });
});
