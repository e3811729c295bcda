/**
 * How big a lease an agent asks for, and when leases end. Pure: the agent's clock is an argument.
 */

export const LEASE_POLICY_DEFAULTS = {
  // A lease lives this long: long enough that a busy agent renews rarely, short enough that an
  // idle or crashed agent's unspent allowance is back soon.
  leaseTtlMilliseconds: 30_000,
  // A lease is reaped only this long after it expired, so the crashed agent's last cost events
  // (already published) are recorded by then and its claim is exact. Also covers clock skew.
  reapGraceMilliseconds: 60_000,
  // An agent stops reserving against a lease this long before it expires (its calls may still
  // settle after): skew between agents' clocks must stay below it plus the grace.
  expiryMarginMilliseconds: 5_000,
  // A lease should cover this much of the agent's recent spend, so round trips stay rare.
  targetLeaseSeconds: 10,
  // With no spend history yet: room for this many calls of the current estimate.
  initialCalls: 8,
  // One grant takes at most this part of a shard's free allowance: leases shrink near the limit,
  // and other agents still find allowance.
  maxShareOfAvailable: 0.5,
  // After a refusal, an estimate as large is refused locally for this long (allowance returns
  // only as other agents' leases end; asking again at once would only load Firestore).
  refusalRecheckMilliseconds: 1_000,
  // Half-life of the spend-rate average: recent bursts count, an hour-old one does not.
  rateHalfLifeMilliseconds: 10_000,
} as const;

export type LeasePolicy = { -readonly [K in keyof typeof LEASE_POLICY_DEFAULTS]: number };

/**
 * What to ask for: the spend rate over the target lease time, at least `initialCalls` of the
 * estimate when the rate is unknown, plus what is carried over from the lease being replaced.
 */
export function desiredLeaseMicros(policy: LeasePolicy, ratePerSecond: number, estimateMicros: number, carriedMicros: number): number {
  const fromRate = Math.ceil(ratePerSecond * policy.targetLeaseSeconds);
  const floor = ratePerSecond > 0 ? estimateMicros : estimateMicros * policy.initialCalls;
  return carriedMicros + Math.max(fromRate, floor);
}

/**
 * Micro-USD per second, exponentially decayed: `record` adds spend, `perSecond` reads the rate.
 * Cheap enough for every settle (an exponential and a few multiplications).
 */
export class SpendRate {
  private value = 0;
  private at = 0;
  private first = 0;
  private readonly lambda: number;

  constructor(halfLifeMilliseconds: number) {
    this.lambda = Math.LN2 / halfLifeMilliseconds;
  }

  record(micros: number, nowMillis: number): void {
    if (this.first === 0) this.first = nowMillis;
    this.decay(nowMillis);
    this.value += micros;
  }

  /**
   * A steady stream of r per ms for t ms leaves a decayed sum of r(1 − e^(−λt))/λ: dividing by
   * that factor makes the rate right from the first calls, not only after a few half-lives.
   */
  perSecond(nowMillis: number): number {
    if (this.first === 0) return 0;
    this.decay(nowMillis);
    const age = Math.max(1, nowMillis - this.first);
    return ((this.value * this.lambda) / (1 - Math.exp(-this.lambda * age))) * 1000;
  }

  private decay(nowMillis: number): void {
    if (this.at !== 0 && nowMillis > this.at) this.value *= Math.exp(-this.lambda * (nowMillis - this.at));
    this.at = Math.max(this.at, nowMillis);
  }
}
