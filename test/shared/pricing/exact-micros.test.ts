import { calculateAiCost } from '../../../shared/pricing/ai-cost';
import { microRatesOf, microsOf } from '../../../shared/pricing/exact-micros';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import { integer, parseDecimal, plus, times, toMicros, type Rational } from '../../../shared/pricing/rational';

/** The reference: every step in BigInt, rounded once. */
function reference(rates: readonly Rational[], counts: readonly number[]): number {
  let sum: Rational = { num: 0n, den: 1n };
  counts.forEach((c, k) => (sum = plus(sum, times(integer(c), rates[k]!))));
  return toMicros(sum);
}

/** Deterministic pseudo-random counts, from small to the schema's 10⁹. */
function* counts(seed: number, n: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    const scale = [10, 1_000, 200_000, 5_000_000, 1_000_000_000][i % 5]!;
    yield x % (scale + 1);
  }
}

const perUnit = (decimal: string, per: number): Rational => {
  const r = parseDecimal(decimal);
  return { num: r.num, den: r.den * BigInt(per) };
};

describe('exact micro-USD sums', () => {
  it('prices every entry of the table exactly as BigInt arithmetic does, at normal and long-context rates', () => {
    let checked = 0;
    for (const price of PRICE_TABLE.models) {
      const image = price.perImage ? parseDecimal(price.perImage) : { num: 0n, den: 1n };
      const input = [...counts(price.model.length + checked, 400)];
      const output = [...counts(price.effectiveFrom.length * 7 + checked, 400)];
      for (let i = 0; i < input.length; i++) {
        const images = price.perImage ? i % 7 : 0;
        const usage = price.unit === 'token'
          ? { model: price.model, inputTokens: input[i]!, outputTokens: output[i]!, ...(images ? { images } : {}) }
          : { model: price.model, inputChars: input[i]!, outputChars: output[i]!, ...(images ? { images } : {}) };
        const long = price.longContext !== undefined && input[i]! > price.longContext.aboveInputUnits;
        const rates = long && price.longContext ? price.longContext : price;
        const expected = reference([perUnit(rates.input, price.per), perUnit(rates.output, price.per), image], [input[i]!, output[i]!, images]);
        expect(calculateAiCost(PRICE_TABLE, usage, new Date(`${price.effectiveFrom}T12:00:00Z`)).amountMicros).toBe(expected);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(1_000);
  });

  it('rounds half up exactly at the half micro-dollar', () => {
    const rates = microRatesOf([{ num: 1n, den: 2_000_000n }]); // half a micro-USD per unit
    expect([1, 2, 3, 5].map((n) => microsOf(rates, [n]))).toEqual([1, 1, 2, 3]);
  });

  it('falls back to BigInt when a rate or a sum does not fit doubles exactly, with the same answer', () => {
    const awkward = [{ num: 1n, den: 3n * 10n ** 20n }, { num: 123_456_789_123_456_789n, den: 1_000_000_000n }];
    const prepared = microRatesOf(awkward);
    expect(prepared.scaled).toBeUndefined();
    for (const c of counts(7, 200)) expect(microsOf(prepared, [c, c])).toBe(reference(awkward, [c, c]));
    const large = [{ num: 987_654_321n, den: 1n }]; // $987,654,321 per unit: the product leaves 2⁵³
    const fits = microRatesOf(large);
    expect(fits.scaled).toBeDefined();
    for (const c of [1, 3, 9, 1_000, 1_000_000_000]) expect(microsOf(fits, [c])).toBe(reference(large, [c]));
  });
});
