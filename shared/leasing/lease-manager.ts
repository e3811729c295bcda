import type { Firestore } from '@google-cloud/firestore';
import { desiredLeaseMicros, type LeasePolicy, type SpendRate } from '../budget/lease-policy';
import { newEventId } from '../contracts/event-id';
import { ALLOWANCE_DEFAULTS, AllowanceContentionError, commitLeaseChange, surveyAllowanceOf, type LeaseChange, type LeaseChangeResult, type ShardSurvey } from '../store/allowance-store';
import type { AllowanceTarget } from '../store/allowance-target';
import { HardBudgetExceededError } from './hard-budget-error';
import { LocalLease } from './local-lease';

/** Counters shared by a guard's lease managers. */
export interface LeaseCounters {
  leasesGranted: number;
  leasesReturned: number;
  /** Firestore requests (lease changes and surveys), on a call's path or in the background. */
  firestoreRequests: number;
  reaped: number;
  /** Rounds of lease changes lost to other agents' changes on the same shard, and retried. */
  contended: number;
}

export interface LeaseManagerDeps {
  db: Firestore;
  /** The allowance in force at an instant: the fleet budget's month, or the scoped instance's window then. */
  allowanceAt: (nowMillis: number) => AllowanceTarget;
  agent: string;
  /** The agent's current event-id session. */
  session: () => string;
  /** The sequence number the next leased event will get. */
  nextSeq: () => number;
  policy: LeasePolicy;
  budgetMicros: () => number;
  clock: () => number;
  rate: SpendRate;
  preferredShard: number;
  counters: LeaseCounters;
  /** A background lease return failed (the lease is then reaped after expiry: nothing is lost). */
  onBackgroundError: (error: unknown) => void;
}

/** Lease changes that stayed contended through all their rounds, retried (on another shard when possible) this often. */
const MAX_CONTENDED_ATTEMPTS = 4;
/** How many shards a refused grant surveys and retries before the call is refused. */
const MAX_SURVEY_ROUNDS = 3;

/**
 * The leases one agent holds on one hard budget: reserves locally while the current lease covers
 * the estimate, and otherwise makes one round trip that returns the old lease and grants a new one.
 */
export class LeaseManager {
  private current: LocalLease | undefined;
  private readonly draining = new Set<LocalLease>();
  private acquiring: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Until then, an estimate above `refusedAbove` is refused without asking Firestore again. */
  private refusedUntil = 0;
  private refusedAbove = Number.POSITIVE_INFINITY;
  private lastRefusal: HardBudgetExceededError | undefined;
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: LeaseManagerDeps) {}

  /** The hot path: a reservation against the current lease, or undefined when a round trip is needed. */
  tryReserve(estimateMicros: number, nowMillis: number): LocalLease | undefined {
    const lease = this.current;
    if (!lease || this.acquiring || !lease.canCover(estimateMicros, nowMillis)) return undefined;
    lease.reserve(estimateMicros);
    return lease;
  }

  /** Reserves, leasing more allowance first when needed; throws HardBudgetExceededError when it does not fit. */
  async reserve(estimateMicros: number): Promise<LocalLease> {
    for (;;) {
      const now = this.deps.clock();
      const lease = this.tryReserve(estimateMicros, now);
      if (lease) return lease;
      if (this.acquiring) {
        await this.acquiring.catch(() => undefined);
        continue;
      }
      if (now < this.refusedUntil && estimateMicros > this.refusedAbove && this.lastRefusal) throw this.lastRefusal;
      const acquiring = this.acquire(estimateMicros);
      this.acquiring = acquiring;
      try {
        await acquiring;
      } finally {
        this.acquiring = undefined;
      }
    }
  }

  /** Called after a settle or release: a draining lease with nothing open is returned. */
  afterSettle(lease: LocalLease): void {
    if (lease.status === 'draining' && lease.outstanding === 0) this.returnInBackground(lease);
  }

  /** Returns every lease (open reservations are charged at their estimates). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.acquiring?.catch(() => undefined);
    const leases = [...this.draining, ...(this.current ? [this.current] : [])];
    this.current = undefined;
    this.draining.clear();
    await Promise.allSettled([...this.background]);
    const results = await Promise.allSettled(leases.filter((l) => l.status !== 'closed' && l.status !== 'closing').map((l) => this.returnLease(l)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * One lease change. When it stays contended through all its rounds (a crowd on one shard), a
   * grant without a close moves to another shard and a close is tried again on its own, with
   * backoff; a contended change wrote nothing, so a retry cannot charge twice.
   */
  private async change(t: Omit<LeaseChange, 'budgetMicros' | 'nowMillis' | 'reapGraceMilliseconds'>): Promise<LeaseChangeResult & { shard: number }> {
    let shard = t.shard;
    for (let attempt = 1; ; attempt++) {
      this.deps.counters.firestoreRequests += 1;
      try {
        const result = await commitLeaseChange(this.deps.db, {
          ...t,
          shard,
          budgetMicros: this.deps.budgetMicros(),
          nowMillis: this.deps.clock(),
          reapGraceMilliseconds: this.deps.policy.reapGraceMilliseconds,
        });
        this.deps.counters.contended += result.conflicts;
        return { ...result, shard };
      } catch (error) {
        if (!(error instanceof AllowanceContentionError) || attempt >= MAX_CONTENDED_ATTEMPTS) throw error;
        this.deps.counters.contended += error.attempts;
        if (!t.close) shard = (shard + 1 + Math.floor(Math.random() * (ALLOWANCE_DEFAULTS.shardCount - 1))) % ALLOWANCE_DEFAULTS.shardCount;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
      }
    }
  }

  private async acquire(estimateMicros: number): Promise<void> {
    const { policy, clock } = this.deps;
    const now = clock();
    const target = this.deps.allowanceAt(now);
    const old = this.current;
    this.current = undefined;
    clearTimeout(this.idleTimer);
    // A lease with nothing open is returned in the same change; one with calls in flight
    // drains and is returned when its last call settles.
    let close: { leaseId: string; settledMicros: number } | undefined;
    if (old && old.outstanding === 0 && old.allowance.docId(0) === target.docId(0)) {
      old.status = 'closing';
      close = { leaseId: old.id, settledMicros: old.claimMicros() };
    } else if (old) {
      old.status = 'draining';
      this.draining.add(old);
      this.afterSettle(old);
    }
    const leaseId = newEventId();
    const expiresAtMillis = now + policy.leaseTtlMilliseconds;
    const grant = {
      leaseId,
      lease: { expiresAtMillis, agent: this.deps.agent, session: this.deps.session(), seqFrom: this.deps.nextSeq() },
      minimumMicros: estimateMicros,
      desiredMicros: desiredLeaseMicros(policy, this.deps.rate.perSecond(now), estimateMicros, 0),
      maxShareOfAvailable: policy.maxShareOfAvailable,
    };
    let shard = old?.shard ?? this.deps.preferredShard;
    let result = await this.change({ target, shard, close, grant }).catch((error: unknown) => {
      if (old && close) old.status = 'closed'; // its fate is unknown: the reaper settles it from the ledger
      throw error;
    });
    if (old && close) {
      old.status = 'closed';
      this.deps.counters.leasesReturned += 1;
    }
    this.deps.counters.reaped += result.reaped;
    shard = result.shard;
    for (let round = 0; result.grantedMicros === undefined && round < MAX_SURVEY_ROUNDS; round++) {
      this.deps.counters.firestoreRequests += 1;
      const survey = await surveyAllowanceOf(this.deps.db, target, this.deps.budgetMicros(), clock(), policy.reapGraceMilliseconds);
      const next = pickShard(survey.filter((s) => s.shard !== shard || round > 0), estimateMicros);
      if (next === undefined) this.refuse(estimateMicros, target, survey);
      result = await this.change({ target, shard: next, grant });
      shard = result.shard;
      this.deps.counters.reaped += result.reaped;
    }
    if (result.grantedMicros === undefined) {
      this.refuse(estimateMicros, target, await surveyAllowanceOf(this.deps.db, target, this.deps.budgetMicros(), clock(), policy.reapGraceMilliseconds));
    }
    this.deps.counters.leasesGranted += 1;
    this.refusedUntil = 0;
    // Never usable past its window: the next window starts with its own allowance.
    const lease = new LocalLease(leaseId, shard, target, result.grantedMicros!, Math.min(expiresAtMillis - policy.expiryMarginMilliseconds, target.windowEndMillis));
    this.current = lease;
    this.scheduleIdleReturn(lease);
  }

  private refuse(estimateMicros: number, target: AllowanceTarget, survey: readonly ShardSurvey[]): never {
    const remainingMicros = survey.reduce((n, s) => n + Math.max(0, s.availableMicros), 0);
    const largestGrantMicros = Math.max(0, ...survey.map((s) => s.availableMicros + s.reapableMicros));
    const error = new HardBudgetExceededError({
      budget: target.budget,
      scope: target.scope,
      window: target.window,
      periodId: target.windowId,
      estimateMicros,
      remainingMicros,
      largestGrantMicros,
      leasedMicros: survey.reduce((n, s) => n + s.outstandingMicros, 0),
      budgetMicros: this.deps.budgetMicros(),
    });
    // Allowance comes back only as leases end: don't ask again for a while for as much.
    // (A new window has its own allowance: the refusal does not outlive the window.)
    this.refusedUntil = Math.min(this.deps.clock() + this.deps.policy.refusalRecheckMilliseconds, target.windowEndMillis);
    this.refusedAbove = largestGrantMicros;
    this.lastRefusal = error;
    throw error;
  }

  /** An idle agent gives its allowance back when the lease stops being usable. */
  private scheduleIdleReturn(lease: LocalLease): void {
    const delay = Math.max(0, lease.usableUntilMillis - this.deps.clock());
    this.idleTimer = setTimeout(() => {
      if (this.current !== lease || this.acquiring) return;
      this.current = undefined;
      lease.status = 'draining';
      this.draining.add(lease);
      this.afterSettle(lease);
    }, delay);
    this.idleTimer.unref();
  }

  private returnInBackground(lease: LocalLease): void {
    const run = this.returnLease(lease)
      .catch((error: unknown) => this.deps.onBackgroundError(error))
      .finally(() => this.background.delete(run));
    this.background.add(run);
  }

  private async returnLease(lease: LocalLease): Promise<void> {
    lease.status = 'closing';
    this.draining.delete(lease);
    try {
      const result = await this.change({ target: lease.allowance, shard: lease.shard, close: { leaseId: lease.id, settledMicros: lease.claimMicros() } });
      this.deps.counters.leasesReturned += 1;
      this.deps.counters.reaped += result.reaped;
    } finally {
      lease.status = 'closed';
    }
  }
}

/**
 * Where a grant the agent's shard could not make goes next: a shard that can cover the estimate,
 * chosen at random weighted by what it can give. Always the richest shard would send every agent
 * that ran dry to the same document at once.
 */
function pickShard(survey: readonly ShardSurvey[], estimateMicros: number): number | undefined {
  const room = (s: ShardSurvey) => s.availableMicros + s.reapableMicros;
  const fits = survey.filter((s) => room(s) >= estimateMicros);
  let ticket = Math.random() * fits.reduce((n, s) => n + room(s), 0);
  for (const s of fits) {
    ticket -= room(s);
    if (ticket < 0) return s.shard;
  }
  return fits.at(-1)?.shard;
}
