import { EstimateMemo } from '../../../shared/leasing/estimate-memo';
import { estimateCost } from '../../../shared/pricing/ai-cost';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import { parsePriceTable } from '../../../shared/pricing/price-table';

describe('EstimateMemo', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');

  it('answers exactly what estimateCost answers, for every shape, asked once or many times', () => {
    const memo = new EstimateMemo(PRICE_TABLE);
    const shapes = [
      { model: 'gemini-2.5-flash', inputTokens: 1_000, maxOutputTokens: 300 },
      { model: 'gemini-2.5-flash', inputChars: 4_001, maxOutputTokens: 300 },
      { model: 'gemini-2.5-pro', inputTokens: 250_000, maxOutputTokens: 8_192 },
      { model: 'gemini-2.5-flash', inputTokens: 1_000, maxOutputChars: 1_200 },
    ];
    for (let round = 0; round < 3; round++) {
      for (const shape of shapes) expect(memo.estimate(shape, now)).toBe(estimateCost(PRICE_TABLE, shape, new Date(now)));
    }
  });

  it('prices again on a new UTC day, when a new price takes effect', () => {
    const entry = { model: 'm', unit: 'token', per: 1_000_000, input: '1', output: '2', source: 's' };
    const table = parsePriceTable({ models: [{ ...entry, effectiveFrom: '2026-12-01' }, { ...entry, input: '3', effectiveFrom: '2026-12-04' }], infrastructure: [] });
    const memo = new EstimateMemo(table);
    const shape = { model: 'm', inputTokens: 1_000_000, maxOutputTokens: 0 };
    expect(memo.estimate(shape, Date.parse('2026-12-03T23:59:59Z'))).toBe(1_000_000);
    expect(memo.estimate(shape, Date.parse('2026-12-04T00:00:00Z'))).toBe(3_000_000);
  });

  it('refuses an unknown model as estimateCost does, remembering nothing', () => {
    const memo = new EstimateMemo(PRICE_TABLE);
    expect(() => memo.estimate({ model: 'no-such-model', inputTokens: 1 }, now)).toThrow(/no price for model "no-such-model"/);
    expect(() => memo.estimate({ model: 'no-such-model', inputTokens: 1 }, now)).toThrow(/no price for model/);
  });
});
