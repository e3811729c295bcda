import { FieldPath, FieldValue, type DocumentSnapshot, type Firestore } from '@google-cloud/firestore';
import { Status } from 'google-gax';
import type { BudgetKey } from '../budget/budget-config';
import {
  availableMicros,
  closeLease,
  EMPTY_SHARD,
  grantLease,
  outstandingMicros,
  reapableLeases,
  reapLease,
  shareOf,
  type GrantRequest,
  type LeaseRecord,
  type ShardState,
} from '../budget/allowance-ledger';
import { eventIdOf, lastEventIdOf } from '../budget/lease-event-ids';
import { COLLECTIONS } from '../basics/collections';
import { parsePeriodId } from '../basics/period';
import { fleetAllowance, type AllowanceTarget, type LedgerSpend } from './allowance-target';

export const ALLOWANCE_DEFAULTS = {
  // Eight shards: leases of a hundred agents spread over eight documents, each far below
  // Firestore's ~1 write/s/document when leases last seconds. Every agent must use the same
  // count (the shares depend on it), so it is a constant, not an option.
  shardCount: 8,
  // A change whose shard moved under it is re-read and re-applied this many times before it
  // fails as contended. Each lost round means another agent's change went through, so the shard
  // keeps moving; a hundred agents arriving at once on the last shard with allowance need dozens.
  maxChangeAttempts: 60,
  // Between rounds: a random pause of up to attempt × this (capped), so losers do not re-collide.
  conflictBackoffMilliseconds: 4,
  maxConflictBackoffMilliseconds: 250,
} as const;

/** A lease change lost to other agents' changes on the same shard every time it was tried. */
export class AllowanceContentionError extends Error {
  override readonly name = 'AllowanceContentionError';
  constructor(readonly shard: number, readonly attempts: number) {
    super(`allowance shard ${shard} changed under ${attempts} attempts in a row (contention); nothing was written`);
  }
}

const lostRace = (error: unknown) => {
  const code = (error as { code?: number }).code;
  return code === Status.FAILED_PRECONDITION || code === Status.ALREADY_EXISTS;
};

/** A fleet budget's shard document in a month. */
export function allowanceShardRef(db: Firestore, periodId: string, key: BudgetKey, shard: number) {
  return db.collection(COLLECTIONS.allowanceShards).doc(`${periodId}_${key}_${shard}`);
}

/** Any allowance's shard document: a fleet budget's month or a scoped budget instance's window. */
export function allowanceRefOf(db: Firestore, target: AllowanceTarget, shard: number) {
  return db.collection(COLLECTIONS.allowanceShards).doc(target.docId(shard));
}

function stateOf(snapshot: DocumentSnapshot | undefined): ShardState {
  if (!snapshot?.exists) return EMPTY_SHARD;
  return {
    spentMicros: (snapshot.get('spentMicros') as number | undefined) ?? 0,
    leases: (snapshot.get('leases') as Record<string, LeaseRecord> | undefined) ?? {},
    reaped: (snapshot.get('reaped') as Record<string, number> | undefined) ?? {},
  };
}

/**
 * The spend recorded in the ledger for a lease: its session's events from its first sequence
 * number on that count under its budget (category; for a scoped budget also the scope instance,
 * from the event each entry stores). Read as documents (a sum over a document-id range needs an
 * index Firestore does not offer); only reaps of crashed agents' leases read it, and only that
 * lease's session range — the same documents whatever the filter.
 */
async function recordedSpendOf(db: Firestore, target: AllowanceTarget, lease: LeaseRecord): Promise<number> {
  const snapshot = await db
    .collection(COLLECTIONS.costEvents)
    .where(FieldPath.documentId(), '>=', eventIdOf(lease.session, lease.seqFrom))
    .where(FieldPath.documentId(), '<=', lastEventIdOf(lease.session))
    .select(...target.ledgerFields)
    .get();
  let micros = 0;
  for (const doc of snapshot.docs) {
    const entry = doc.data() as LedgerSpend;
    if (target.counts(entry)) micros += entry.amountMicros ?? 0;
  }
  return micros;
}

export interface LeaseChange {
  /** Whose allowance: a fleet budget's month or a scoped budget instance's window. */
  target: AllowanceTarget;
  shard: number;
  /** The budget as the agent's config says; the shard's share is computed from it. */
  budgetMicros: number;
  nowMillis: number;
  reapGraceMilliseconds: number;
  /** A lease to end, with what was settled against it. */
  close?: { leaseId: string; settledMicros: number };
  grant?: GrantRequest;
}

export interface LeaseChangeResult {
  /** Present when a grant was asked for and made. */
  grantedMicros?: number;
  /** Free allowance of the shard after the change. */
  availableMicros: number;
  /** Leases of crashed agents reaped on the way. */
  reaped: number;
  /** Rounds lost to other agents' changes on the shard (each re-read and re-applied). */
  conflicts: number;
}

/**
 * One change to one allowance shard: reaps leases past expiry and grace (charging what the ledger
 * recorded for them), closes the caller's old lease, grants the new one if it fits.
 *
 * Optimistic, not a transaction: the shard is read without a lock and written only if it has not
 * changed since (`lastUpdateTime` precondition; `create` for a shard nobody wrote yet), else read
 * again. A lost round writes nothing, so a retry cannot charge twice, and each lost round means
 * another agent's change went through, so a crowd on one shard always makes progress. Read-write
 * transactions hold locks instead: a hundred agents reaching the last shard with allowance at once
 * deadlocked on each other's read locks until the emulator's lock timeout, round after round (see
 * README "Hard budgets").
 */
export async function commitLeaseChange(db: Firestore, t: LeaseChange): Promise<LeaseChangeResult> {
  const ref = allowanceRefOf(db, t.target, t.shard);
  const share = shareOf(t.budgetMicros, ALLOWANCE_DEFAULTS.shardCount, t.shard);
  // A reaped lease's recorded spend is final (its agent is silent past the grace): read once, not per round.
  const recorded = new Map<string, number>();
  for (let attempt = 1; ; attempt++) {
    const snapshot = await ref.get();
    let state = stateOf(snapshot);
    let changed = false;
    const reapable = reapableLeases(state, t.nowMillis, t.reapGraceMilliseconds).filter((id) => id !== t.close?.leaseId);
    for (const id of reapable) {
      if (!recorded.has(id)) recorded.set(id, await recordedSpendOf(db, t.target, state.leases[id] as LeaseRecord));
      state = reapLease(state, id, recorded.get(id)!);
      changed = true;
    }
    if (t.close) {
      state = closeLease(state, t.close.leaseId, t.close.settledMicros);
      changed = true;
    }
    let grantedMicros: number | undefined;
    if (t.grant) {
      const outcome = grantLease(state, share, t.grant);
      if (outcome.granted) {
        state = outcome.state;
        grantedMicros = outcome.grantedMicros;
        changed = true;
      }
    }
    const result = { grantedMicros, availableMicros: availableMicros(state, share), reaped: reapable.length, conflicts: attempt - 1 };
    if (!changed) return result;
    // `commits`: writes to this shard so far, the measure of how hot it runs (bench/budget-hard reads it).
    const commits = ((snapshot.get('commits') as number | undefined) ?? 0) + 1;
    const data = { ...t.target.fields(), shard: t.shard, shareMicros: share, ...state, commits, updatedAt: FieldValue.serverTimestamp() };
    try {
      // update() replaces each named top-level field whole (leases, reaped included): the same document set() would write.
      if (snapshot.exists) await ref.update(data, { lastUpdateTime: snapshot.updateTime! });
      else await ref.create(data);
      return result;
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (attempt >= ALLOWANCE_DEFAULTS.maxChangeAttempts) throw new AllowanceContentionError(t.shard, attempt);
      const ceiling = Math.min(ALLOWANCE_DEFAULTS.maxConflictBackoffMilliseconds, attempt * ALLOWANCE_DEFAULTS.conflictBackoffMilliseconds);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}

export interface ShardSurvey {
  shard: number;
  availableMicros: number;
  /** Grants of leases a transaction on this shard would reap (an upper bound of what they free). */
  reapableMicros: number;
  spentMicros: number;
  outstandingMicros: number;
  leases: number;
  /** Transactions that wrote this shard this period. */
  commits: number;
}

/** Every shard of a fleet hard budget in a month in one read (no transaction): where allowance is left. */
export function surveyAllowance(db: Firestore, periodId: string, key: BudgetKey, budgetMicros: number, nowMillis: number, reapGraceMilliseconds: number): Promise<ShardSurvey[]> {
  return surveyAllowanceOf(db, fleetAllowance(periodId, key, parsePeriodId(periodId).end.getTime()), budgetMicros, nowMillis, reapGraceMilliseconds);
}

/** Every shard of any allowance (fleet month or scoped instance window) in one read. */
export async function surveyAllowanceOf(db: Firestore, target: AllowanceTarget, budgetMicros: number, nowMillis: number, reapGraceMilliseconds: number): Promise<ShardSurvey[]> {
  const refs = Array.from({ length: ALLOWANCE_DEFAULTS.shardCount }, (_, shard) => allowanceRefOf(db, target, shard));
  const snapshots = await db.getAll(...refs);
  return snapshots.map((snapshot, shard) => {
    const state = stateOf(snapshot);
    const reapableMicros = reapableLeases(state, nowMillis, reapGraceMilliseconds).reduce((n, id) => n + (state.leases[id]?.grantedMicros ?? 0), 0);
    return {
      shard,
      availableMicros: availableMicros(state, shareOf(budgetMicros, ALLOWANCE_DEFAULTS.shardCount, shard)),
      reapableMicros,
      spentMicros: state.spentMicros,
      outstandingMicros: outstandingMicros(state),
      leases: Object.keys(state.leases).length,
      commits: (snapshot.get('commits') as number | undefined) ?? 0,
    };
  });
}
