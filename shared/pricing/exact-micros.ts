import { integer, sum, times, toMicros, type Rational } from './rational';

/**
 * Rates (USD per unit) prepared for Σ countₖ × rateₖ in micro-USD, rounded half up once. The exact
 * answer is the same as BigInt arithmetic gives; when every step is an integer below 2⁵³ (all
 * real prices and counts) it is computed in doubles, which allocates nothing — pricing runs per
 * event in the functions and per settle on an agent's hot path.
 */
export interface MicroRates {
  readonly rates: readonly Rational[];
  /** Micro-USD per unit of term k is `scaled[k] / den`; absent when they do not fit doubles exactly. */
  readonly scaled?: readonly number[];
  readonly den?: number;
}

const MICROS_PER_USD = 1_000_000n;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const safe = (n: bigint) => n <= BigInt(Number.MAX_SAFE_INTEGER);

export function microRatesOf(rates: readonly Rational[]): MicroRates {
  const micro = rates.map((r) => {
    const num = r.num * MICROS_PER_USD;
    const g = gcd(num, r.den);
    return { num: num / g, den: r.den / g };
  });
  const den = micro.reduce((d, m) => (d * m.den) / gcd(d, m.den), 1n);
  const scaled = micro.map((m) => m.num * (den / m.den));
  // 2·den is formed when rounding: keep headroom for it.
  if (!safe(2n * den) || !scaled.every(safe)) return { rates };
  return { rates, scaled: scaled.map(Number), den: Number(den) };
}

/** Σ counts[k] × rates[k] in micro-USD, rounded half up (counts are non-negative integers). */
export function microsOf(prepared: MicroRates, counts: readonly number[]): number {
  const { scaled, den } = prepared;
  if (scaled && den !== undefined) {
    let total = 0;
    for (let k = 0; k < counts.length; k++) total += (counts[k] as number) * (scaled[k] as number);
    // Exact while below 2⁵³ (a product or sum above it would not be a safe integer).
    const twice = 2 * total + den;
    if (Number.isSafeInteger(total) && Number.isSafeInteger(twice)) {
      // floor((2N + D) / 2D): the double quotient is within one of it; the products checked below are exact.
      const divisor = 2 * den;
      let q = Math.floor(twice / divisor);
      if (q * divisor > twice) q -= 1;
      else if ((q + 1) * divisor <= twice) q += 1;
      return q;
    }
  }
  return toMicros(sum(counts.map((count, k) => times(integer(count), prepared.rates[k] as Rational))));
}
