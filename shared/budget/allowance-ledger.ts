/**
 * The state of one allowance shard of a hard budget and the only ways it changes. Pure: the
 * store runs these inside a Firestore transaction on the shard document.
 *
 * Invariant (I): spentMicros + Σ leases.grantedMicros ≤ share, where the shares of a budget's
 * shards add up to the budget exactly. Every transition keeps it:
 * - grant adds a lease only if it fits the shard's free allowance;
 * - close replaces a lease's grant by what its agent settled against it (≤ the grant unless a call
 *   cost more than its estimate);
 * - reap replaces an expired lease's grant by the spend recorded for it, capped at the grant.
 * Why this bounds a fleet's spend: see README "Hard budgets".
 */

/** A lease as its shard keeps it while it is outstanding. */
export interface LeaseRecord {
  grantedMicros: number;
  /** Agent clock, ms since the epoch; past it (plus the reap grace) anyone may reap the lease. */
  expiresAtMillis: number;
  agent: string;
  /** Event-id prefix of the agent's session and the first sequence number this lease covers. */
  session: string;
  seqFrom: number;
}

export interface ShardState {
  /** Settled (closed leases) or recorded (reaped leases) spend charged to this shard. */
  spentMicros: number;
  leases: Record<string, LeaseRecord>;
  /** Claim of each lease reaped this period, so a late close by a live agent adds only the rest. */
  reaped: Record<string, number>;
}

export const EMPTY_SHARD: ShardState = { spentMicros: 0, leases: {}, reaped: {} };

/** Shard `shard`'s part of a budget: equal parts, the remainder spread over the first shards. */
export function shareOf(budgetMicros: number, shardCount: number, shard: number): number {
  const base = Math.floor(budgetMicros / shardCount);
  return base + (shard < budgetMicros % shardCount ? 1 : 0);
}

export function outstandingMicros(state: ShardState): number {
  let sum = 0;
  for (const lease of Object.values(state.leases)) sum += lease.grantedMicros;
  return sum;
}

/** What the shard can still grant; negative only after an overdraft. */
export function availableMicros(state: ShardState, share: number): number {
  return share - state.spentMicros - outstandingMicros(state);
}

/** Leases whose agents have been silent past expiry plus the grace: presumed crashed. */
export function reapableLeases(state: ShardState, nowMillis: number, graceMilliseconds: number): string[] {
  return Object.entries(state.leases)
    .filter(([, lease]) => lease.expiresAtMillis + graceMilliseconds <= nowMillis)
    .map(([id]) => id);
}

/** Ends a lease its agent returned: its grant gives way to what was settled against it. */
export function closeLease(state: ShardState, leaseId: string, settledMicros: number): ShardState {
  const leases = { ...state.leases };
  const reaped = { ...state.reaped };
  let charge = settledMicros;
  if (leases[leaseId]) {
    delete leases[leaseId];
  } else if (reaped[leaseId] !== undefined) {
    // Reaped while its agent was still settling: only what the reap did not count is added.
    charge = Math.max(0, settledMicros - reaped[leaseId]);
    reaped[leaseId] = Math.max(settledMicros, reaped[leaseId]);
  }
  // A lease the shard never saw (a grant whose answer was lost) is charged in full: errs high.
  return { spentMicros: state.spentMicros + charge, leases, reaped };
}

/** Ends a presumed-crashed lease: its grant gives way to the spend recorded for it (≤ the grant). */
export function reapLease(state: ShardState, leaseId: string, recordedMicros: number): ShardState {
  const lease = state.leases[leaseId];
  if (!lease) return state;
  const claim = Math.min(recordedMicros, lease.grantedMicros);
  const leases = { ...state.leases };
  delete leases[leaseId];
  return { spentMicros: state.spentMicros + claim, leases, reaped: { ...state.reaped, [leaseId]: claim } };
}

export interface GrantRequest {
  leaseId: string;
  lease: Omit<LeaseRecord, 'grantedMicros'>;
  /** The least that is any use (the call's estimate plus reservations carried over). */
  minimumMicros: number;
  /** What the agent would like (from its spend rate). */
  desiredMicros: number;
  /** The largest part of the free allowance one grant may take (0–1]. */
  maxShareOfAvailable: number;
}

export type GrantOutcome = { granted: true; state: ShardState; grantedMicros: number; availableMicros: number } | { granted: false; state: ShardState; availableMicros: number };

/**
 * Grants a lease that fits: the desired amount, shrunk to `maxShareOfAvailable` of what is free
 * (so leases shrink as the shard runs out), never below the minimum; refused when even that
 * does not fit.
 */
export function grantLease(state: ShardState, share: number, request: GrantRequest): GrantOutcome {
  const available = availableMicros(state, share);
  if (request.minimumMicros > available || request.minimumMicros < 0) return { granted: false, state, availableMicros: available };
  const capped = Math.min(request.desiredMicros, Math.floor(available * request.maxShareOfAvailable));
  const grantedMicros = Math.max(request.minimumMicros, capped);
  const next: ShardState = { ...state, leases: { ...state.leases, [request.leaseId]: { ...request.lease, grantedMicros } } };
  return { granted: true, state: next, grantedMicros, availableMicros: available - grantedMicros };
}
