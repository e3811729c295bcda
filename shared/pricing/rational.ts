/** Exact money arithmetic: prices are decimal strings, sums are BigInt fractions, rounding happens once. */
export interface Rational {
  num: bigint;
  den: bigint;
}

const ZERO: Rational = { num: 0n, den: 1n };

/** "0.00002" → 2/100000. Accepts plain decimals only (no exponent, no sign). */
export function parseDecimal(text: string): Rational {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a plain decimal`);
  const fraction = match[2] ?? '';
  return { num: BigInt((match[1] ?? '0') + fraction), den: 10n ** BigInt(fraction.length) };
}

/** A non-negative quantity from the edge (e.g. 0.5 GB-month), kept to nano-unit precision. */
export function quantity(value: number): Rational {
  if (!Number.isFinite(value) || value < 0) throw new Error(`quantity must be finite and non-negative, got ${value}`);
  return { num: BigInt(Math.round(value * 1e9)), den: 1_000_000_000n };
}

export function times(a: Rational, b: Rational): Rational {
  return { num: a.num * b.num, den: a.den * b.den };
}

export function plus(a: Rational, b: Rational): Rational {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function sum(values: readonly Rational[]): Rational {
  return values.reduce(plus, ZERO);
}

export function integer(n: number): Rational {
  return { num: BigInt(n), den: 1n };
}

/** USD amount → integer micro-USD, rounded half up (amounts are non-negative). */
export function toMicros(usd: Rational): number {
  const scaled = usd.num * 1_000_000n;
  return Number((2n * scaled + usd.den) / (2n * usd.den));
}
