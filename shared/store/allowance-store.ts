import { FieldPath, FieldValue, type DocumentSnapshot, type Firestore } from '@google-cloud/firestore';
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

export const ALLOWANCE_DEFAULTS = {
  // Eight shards: leases of a hundred agents spread over eight documents, each far below
  // Firestore's ~1 write/s/document when leases last seconds. Every agent must use the same
  // count (the shares depend on it), so it is a constant, not an option.
  shardCount: 8,
  // Contended transactions are retried by the client this many times before the call fails.
  maxTransactionAttempts: 10,
} as const;

export function allowanceShardRef(db: Firestore, periodId: string, key: BudgetKey, shard: number) {
  return db.collection(COLLECTIONS.allowanceShards).doc(`${periodId}_${key}_${shard}`);
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
 * number on. Read as documents (a sum over a document-id range needs an index Firestore does not
 * offer); only reaps of crashed agents' leases read it, and only that lease's events.
 */
async function recordedSpendOf(db: Firestore, key: BudgetKey, lease: LeaseRecord): Promise<number> {
  const snapshot = await db
    .collection(COLLECTIONS.costEvents)
    .where(FieldPath.documentId(), '>=', eventIdOf(lease.session, lease.seqFrom))
    .where(FieldPath.documentId(), '<=', lastEventIdOf(lease.session))
    .select('amountMicros', 'category')
    .get();
  let micros = 0;
  for (const doc of snapshot.docs) if (key === 'TOTAL' || doc.get('category') === key) micros += (doc.get('amountMicros') as number) ?? 0;
  return micros;
}

export interface LeaseTransaction {
  periodId: string;
  key: BudgetKey;
  shard: number;
  /** The budget as the agent's config says; the shard's share is computed from it. */
  budgetMicros: number;
  nowMillis: number;
  reapGraceMilliseconds: number;
  /** A lease to end, with what was settled against it. */
  close?: { leaseId: string; settledMicros: number };
  grant?: GrantRequest;
}

export interface LeaseTransactionResult {
  /** Present when a grant was asked for and made. */
  grantedMicros?: number;
  /** Free allowance of the shard after the transaction. */
  availableMicros: number;
  /** Leases of crashed agents reaped on the way. */
  reaped: number;
}

/**
 * One transaction on one allowance shard: reaps leases past expiry and grace (charging what the
 * ledger recorded for them), closes the caller's old lease, grants the new one if it fits.
 */
export async function runLeaseTransaction(db: Firestore, t: LeaseTransaction): Promise<LeaseTransactionResult> {
  const ref = allowanceShardRef(db, t.periodId, t.key, t.shard);
  const share = shareOf(t.budgetMicros, ALLOWANCE_DEFAULTS.shardCount, t.shard);
  return db.runTransaction(
    async (tx) => {
      const snapshot = await tx.get(ref);
      let state = stateOf(snapshot);
      let changed = false;
      const reapable = reapableLeases(state, t.nowMillis, t.reapGraceMilliseconds).filter((id) => id !== t.close?.leaseId);
      for (const id of reapable) {
        state = reapLease(state, id, await recordedSpendOf(db, t.key, state.leases[id] as LeaseRecord));
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
      if (changed) {
        // `commits`: writes to this shard so far, the measure of how hot it runs (bench/budget-hard reads it).
        const commits = ((snapshot.get('commits') as number | undefined) ?? 0) + 1;
        tx.set(ref, { period: t.periodId, key: t.key, shard: t.shard, shareMicros: share, ...state, commits, updatedAt: FieldValue.serverTimestamp() });
      }
      return { grantedMicros, availableMicros: availableMicros(state, share), reaped: reapable.length };
    },
    { maxAttempts: ALLOWANCE_DEFAULTS.maxTransactionAttempts },
  );
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

/** Every shard of a hard budget in one read (no transaction): where allowance is left. */
export async function surveyAllowance(db: Firestore, periodId: string, key: BudgetKey, budgetMicros: number, nowMillis: number, reapGraceMilliseconds: number): Promise<ShardSurvey[]> {
  const refs = Array.from({ length: ALLOWANCE_DEFAULTS.shardCount }, (_, shard) => allowanceShardRef(db, periodId, key, shard));
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
