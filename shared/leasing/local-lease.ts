/**
 * A lease as its agent spends it: local arithmetic only, no I/O. Invariant while active:
 * settled + reserved ≤ granted, except when a call settles above its estimate (an overdraft,
 * charged in full when the lease closes).
 */
import type { AllowanceTarget } from '../store/allowance-target';

export type LeaseStatus = 'active' | 'draining' | 'closing' | 'closed';

export class LocalLease {
  settledMicros = 0;
  reservedMicros = 0;
  /** Reservations not yet settled or released. */
  outstanding = 0;
  status: LeaseStatus = 'active';

  constructor(
    readonly id: string,
    readonly shard: number,
    /** The allowance (budget, scope instance, window) the lease was granted from. */
    readonly allowance: AllowanceTarget,
    readonly grantedMicros: number,
    /** After this (agent clock, ms) nothing new is reserved against the lease. */
    readonly usableUntilMillis: number,
  ) {}

  /** The month or window id of its allowance. */
  get periodId(): string {
    return this.allowance.windowId;
  }

  /** True when a new reservation of `estimateMicros` may be taken from this lease now. */
  canCover(estimateMicros: number, nowMillis: number): boolean {
    return this.status === 'active' && nowMillis < this.usableUntilMillis && this.settledMicros + this.reservedMicros + estimateMicros <= this.grantedMicros;
  }

  reserve(estimateMicros: number): void {
    this.reservedMicros += estimateMicros;
    this.outstanding += 1;
  }

  settle(estimateMicros: number, actualMicros: number): void {
    this.reservedMicros -= estimateMicros;
    this.settledMicros += actualMicros;
    this.outstanding -= 1;
  }

  release(estimateMicros: number): void {
    this.reservedMicros -= estimateMicros;
    this.outstanding -= 1;
  }

  /** What to charge when the lease ends: settled spend, plus reservations still open (their estimates). */
  claimMicros(): number {
    return this.settledMicros + this.reservedMicros;
  }
}
