import { aiUsageSchema, type AiUsage } from '../../../shared/contracts/cost-event';
import { calculateAiCost, conservativePrice, familyOf, PRICE_TABLE, priceWith, type ModelPrice } from '../../../shared/pricing';

const NOW = new Date('2026-12-07T12:00:00Z');

/** A seeded generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** USD decimal string per `per` units → atto-USD (10⁻¹⁸) per unit, by string arithmetic (not parseDecimal). */
function atto(decimal: string, per: number): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(`${whole}${fraction.padEnd(18, '0')}`) / BigInt(per);
}

/** The Gemini billing rules written out field by field, in atto-USD, rounded half up once. */
function independentMicros(p: ModelPrice, u: AiUsage): number {
  const prompt = u.inputTokens ?? 0;
  const long = p.longContext !== undefined && prompt > p.longContext.aboveInputUnits;
  const input = long ? p.longContext!.input : p.input;
  const rates = {
    input: atto(input, p.per),
    audio: atto(p.audioInput ?? input, p.per),
    cached: atto((long ? p.longContext!.cachedInput : p.cachedInput) ?? input, p.per),
    cachedAudio: atto(p.cachedAudioInput ?? p.audioInput ?? input, p.per),
    output: atto(long ? p.longContext!.output : p.output, p.per),
  };
  const n = (v: number | undefined) => BigInt(v ?? 0);
  const uncachedAudio = n(u.audioInputTokens) - n(u.cachedAudioInputTokens);
  const total =
    (n(u.inputTokens) - n(u.cachedInputTokens) - uncachedAudio + n(u.toolUseInputTokens)) * rates.input +
    uncachedAudio * rates.audio +
    (n(u.cachedInputTokens) - n(u.cachedAudioInputTokens)) * rates.cached +
    n(u.cachedAudioInputTokens) * rates.cachedAudio +
    (n(u.outputTokens) + n(u.thoughtsTokens)) * rates.output;
  const unit = 1_000_000_000_000n; // atto per micro
  return Number((2n * total + unit) / (2n * unit));
}

function randomUsage(next: () => number, model: string, threshold: number | undefined): AiUsage {
  const pick = (max: number) => Math.floor(next() * (max + 1));
  const scale = [100, 10_000, 1_000_000, 1_000_000_000][pick(3)]!;
  const input = threshold !== undefined && next() < 0.3 ? threshold + pick(2) - 1 : pick(scale);
  const cached = next() < 0.5 ? pick(input) : 0;
  const audio = next() < 0.4 ? pick(input) : 0;
  // The cached audio fits in both wholes, and the uncached audio in the uncached input.
  const lowest = Math.max(0, audio - (input - cached));
  const cachedAudio = lowest + pick(Math.max(0, Math.min(cached, audio) - lowest));
  return {
    model,
    inputTokens: input,
    outputTokens: pick(scale),
    cachedInputTokens: cached,
    audioInputTokens: audio,
    cachedAudioInputTokens: cachedAudio,
    toolUseInputTokens: next() < 0.3 ? pick(scale) : 0,
    thoughtsTokens: next() < 0.5 ? pick(scale) : 0,
  };
}

describe('pricing every usage field', () => {
  const tokenEntries = PRICE_TABLE.models.filter((p) => p.unit === 'token');

  it('equals an independent field-by-field computation for every token-priced entry (property test, 500 cases each)', () => {
    const next = random(24);
    for (const price of tokenEntries) {
      for (let i = 0; i < 500; i++) {
        const usage = aiUsageSchema.parse(randomUsage(next, price.model, price.longContext?.aboveInputUnits));
        expect({ price: `${price.model}@${price.effectiveFrom}`, usage, micros: priceWith(price, usage).amountMicros }).toEqual({ price: `${price.model}@${price.effectiveFrom}`, usage, micros: independentMicros(price, usage) });
      }
    }
  });

  it('bills thinking at the output rate, cached tokens at the cached rate, tool-use tokens as input, audio at the audio rate', () => {
    // gemini-2.5-flash: input $0.30, output $2.50, audio $1.00, cached $0.03 per 1M tokens.
    const usage = { model: 'gemini-2.5-flash', inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(calculateAiCost(PRICE_TABLE, usage, NOW).amountMicros).toBe(2_800_000);
    expect(calculateAiCost(PRICE_TABLE, { ...usage, thoughtsTokens: 2_000_000 }, NOW).amountMicros).toBe(7_800_000);
    expect(calculateAiCost(PRICE_TABLE, { ...usage, cachedInputTokens: 1_000_000 }, NOW).amountMicros).toBe(2_530_000);
    expect(calculateAiCost(PRICE_TABLE, { ...usage, toolUseInputTokens: 1_000_000 }, NOW).amountMicros).toBe(3_100_000);
    expect(calculateAiCost(PRICE_TABLE, { ...usage, audioInputTokens: 1_000_000 }, NOW).amountMicros).toBe(3_500_000);
  });

  it('switches the whole call, cached input included, to the long-context rates by prompt size', () => {
    // gemini-2.5-pro above 200K prompt tokens: input $2.50, output $15, cached $0.25.
    const long = calculateAiCost(PRICE_TABLE, { model: 'gemini-2.5-pro', inputTokens: 400_000, cachedInputTokens: 200_000, outputTokens: 0 }, NOW);
    expect(long).toMatchObject({ amountMicros: 550_000, longContext: true });
  });

  it('refuses parts larger than their wholes, naming the field', () => {
    expect(() => aiUsageSchema.parse({ model: 'm', inputTokens: 10, cachedInputTokens: 11 })).toThrow(/cachedInputTokens/);
    expect(() => aiUsageSchema.parse({ model: 'm', inputTokens: 10, audioInputTokens: 11 })).toThrow(/audioInputTokens/);
    expect(() => aiUsageSchema.parse({ model: 'm', inputTokens: 10, cachedInputTokens: 5, audioInputTokens: 8 })).toThrow(/uncached audio/);
    expect(() => calculateAiCost(PRICE_TABLE, { model: 'gemini-1.5-flash', inputChars: 10, thoughtsTokens: 3 }, NOW)).toThrow(/thoughtsTokens/);
  });
});

describe('unknown models', () => {
  it('names a family without version and release words', () => {
    expect(['gemini-3.1-pro-preview', 'gemini-2.5-flash-lite-preview-06-17', 'models/gemini-embedding-001', 'gemini-9-flash'].map(familyOf)).toEqual(['pro', 'flash-lite', 'embedding', 'flash']);
  });

  it('are charged provisionally at the dearest entry of their family, else of the table, else as configured', () => {
    const usage = { model: 'gemini-4-pro', inputTokens: 100_000, outputTokens: 1_000_000 };
    expect(() => calculateAiCost(PRICE_TABLE, usage, NOW)).toThrow(/no price for model "gemini-4-pro"/);
    expect(calculateAiCost(PRICE_TABLE, usage, NOW, {})).toMatchObject({ amountMicros: 12_200_000, provisional: true, price: { model: 'gemini-3-pro-preview' } });
    expect(conservativePrice(PRICE_TABLE, 'acme-large', {}, NOW)?.model).toBe('gemini-3-pro-preview');
    expect(calculateAiCost(PRICE_TABLE, { ...usage, model: 'gemini-4-flash-lite' }, NOW, {}).price.model).toBe('gemini-3.5-flash-lite');
    expect(calculateAiCost(PRICE_TABLE, usage, NOW, { chargeAs: 'gemini-2.5-pro' }).amountMicros).toBe(10_125_000);
  });
});
