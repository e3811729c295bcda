import { AggregateField, FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import { COST_CATEGORIES, type CostCategory } from '../contracts/vocabulary';
import type { SpendRecord } from '../budget/price-cost-event';
import type { CostEvent } from '../contracts/cost-event';
import { BUDGET_KEYS, type BudgetKey } from '../budget/budget-config';
import { MODEL_COUNTERS, type ModelUsage } from '../budget/model-usage';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';
import { Status } from 'google-gax';
import type { ScopedBudget } from '../budget/scoped-budget';
import { addScopeIncrement, scopeIncrementsOf, type ScopeIncrement } from './scope-spend';
import { processShardPicker, type CounterShardPicker } from './counter-shards';


export const SPEND_DEFAULTS = {
  // 16 shards: at ~1 write/s/document sustained, a period takes ~16 batch commits a second, each
  // of up to `maxEventsPerCommit` events, before any shard runs hot.
  shardCount: 16,
  // Events per group commit. A commit is split further so that it never holds more than
  // `maxWritesPerCommit` writes: a ledger entry per event, a shard per period, a shard per scoped counter.
  maxEventsPerCommit: 450,
  // Firestore's limit on the writes of one batch.
  maxWritesPerCommit: 500,
  maxCommitBytes: 3_000_000,
  // Ledger entries outlive Pub/Sub's 7-day redelivery window by far, then expire by TTL.
  ledgerRetentionDays: 400,
} as const;

export interface CommitResult {
  recorded: string[];
  duplicates: string[];
  /** Documents read to sort out duplicates (0 when the first commit succeeded). */
  reads: number;
  /** What the recorded events added to scoped budgets' counters. */
  scoped: ScopeIncrement[];
  /** Batches committed (more than one when the writes did not fit one). */
  batches: number;
}

/** One amount to add to a period's spend. */
export interface SpendIncrement {
  category: CostCategory;
  amountMicros: number;
  usage?: SpendRecord['usage'];
}

/** The merge-set that adds increments to one shard document (created on first use). */
export function shardIncrements(entries: readonly SpendIncrement[], periodId: string, shard: number): Record<string, unknown> {
  const categories: Partial<Record<CostCategory, number>> = {};
  const models: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const r of entries) {
    total += r.amountMicros;
    categories[r.category] = (categories[r.category] ?? 0) + r.amountMicros;
    if (r.usage) {
      const m = (models[r.usage.model] ??= { micros: 0, events: 0 });
      m.micros = (m.micros ?? 0) + r.amountMicros;
      m.events = (m.events ?? 0) + 1;
      for (const c of MODEL_COUNTERS) m[c] = (m[c] ?? 0) + (r.usage[c] ?? 0);
    }
  }
  const inc = (n: number) => FieldValue.increment(n);
  return {
    period: periodId,
    shard,
    totalMicros: inc(total),
    events: inc(entries.length),
    // Writes to this shard so far: the measure of how hot a shard runs (bench/spend reads it).
    commits: inc(1),
    // Every category field on every shard, even at +0: an aggregation query with several sums only
    // counts documents that have all of the summed fields.
    categories: Object.fromEntries(COST_CATEGORIES.map((c) => [c, inc(categories[c] ?? 0)])),
    models: Object.fromEntries(Object.entries(models).map(([name, counters]) => [name, Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, inc(v)]))])),
    updatedAt: FieldValue.serverTimestamp(),
  };
}

export function shardRef(db: Firestore, periodId: string, shard: number) {
  return db.collection(COLLECTIONS.spendShards).doc(`${periodId}_${shard}`);
}

/**
 * A ledger entry: the few fields anything queries, and the event itself as one JSON string — a
 * string is one index entry where the event's nested fields would be a dozen, on every write.
 */
function ledgerEntry(r: SpendRecord, now: Date): Record<string, unknown> {
  return {
    period: r.periodId,
    category: r.event.payload.category,
    amountMicros: r.amountMicros,
    source: r.event.source,
    occurredAt: r.event.occurredAt,
    event: JSON.stringify(r.event),
    ...(r.pricedWith ? { pricedWith: `${r.pricedWith.model}@${r.pricedWith.effectiveFrom}${r.pricedWith.longContext ? '+long-context' : ''}${r.pricedWith.provisional ? '+provisional' : ''}` } : {}),
    // Found again by spend-corrections.ts once the model has a price (the field goes when re-priced).
    ...(r.pricedWith?.provisional && r.usage ? { provisional: true, unpricedModel: r.usage.model } : {}),
    recordedAt: FieldValue.serverTimestamp(),
    [TTL_FIELD]: Timestamp.fromMillis(now.getTime() + SPEND_DEFAULTS.ledgerRetentionDays * 86_400_000),
  };
}

/** A ledger entry as stored: the event parsed back, with what Governor added. */
export interface LedgerEntry {
  event: CostEvent;
  period: string;
  amountMicros: number;
  pricedWith?: string;
  recordedAt?: Date;
}

export async function readLedgerEntry(db: Firestore, eventId: string): Promise<LedgerEntry | undefined> {
  const doc = await db.collection(COLLECTIONS.costEvents).doc(eventId).get();
  if (!doc.exists) return undefined;
  return {
    event: JSON.parse(doc.get('event') as string) as CostEvent,
    period: doc.get('period') as string,
    amountMicros: doc.get('amountMicros') as number,
    ...(doc.get('pricedWith') ? { pricedWith: doc.get('pricedWith') as string } : {}),
    recordedAt: (doc.get('recordedAt') as Timestamp | undefined)?.toDate(),
  };
}

/** What `commitSpend` may be told. */
export interface CommitOptions {
  shardCount?: number;
  random?: () => number;
  now?: Date;
  /** Scoped budgets in force: each recorded event also adds to the counters of those it falls under. */
  scopedBudgets?: readonly ScopedBudget[];
  /** Chooses the scoped counters' shards (default: this process's picker). */
  shardPicker?: CounterShardPicker;
}

/**
 * Records a batch of priced events exactly once: per atomic commit, a ledger entry per event
 * (`create()`, so an event already recorded fails the commit), one sharded increment per period and
 * one per scoped counter the events add to. When a commit fails because some events were recorded
 * before (redelivery), those are set aside as duplicates and the rest committed again. Either every
 * increment lands with its ledger entry or none does, so totals stay exact under redelivery,
 * retries and crashes. A batch whose writes exceed one commit is split by events.
 */
export async function commitSpend(db: Firestore, records: readonly SpendRecord[], options: CommitOptions = {}): Promise<CommitResult> {
  // The same event twice in one batch (a redelivery racing the first delivery) is one event.
  const unique = [...new Map(records.map((r) => [r.event.eventId, r])).values()];
  const scoped = options.scopedBudgets ?? [];
  const result: CommitResult = { recorded: [], duplicates: [], reads: 0, scoped: [], batches: 0 };
  for (const chunk of chunksWithinWriteLimit(unique, scoped)) {
    const part = await commitChunk(db, chunk, scoped, options);
    result.recorded.push(...part.recorded);
    result.duplicates.push(...part.duplicates);
    result.reads += part.reads;
    result.scoped.push(...part.scoped);
    result.batches += part.batches;
  }
  return result;
}

/** Splits records so that each commit's writes (ledger + period shards + scoped counters) fit Firestore's limit. */
function chunksWithinWriteLimit(records: readonly SpendRecord[], scoped: readonly ScopedBudget[]): SpendRecord[][] {
  if (scoped.length === 0) return records.length > 0 ? [[...records]] : [];
  const chunks: SpendRecord[][] = [];
  let chunk: SpendRecord[] = [];
  let keys = new Set<string>();
  for (const r of records) {
    const own = new Set([`period|${r.periodId}`, ...scopeIncrementsOf([r], scoped).map((i) => i.counterKey)]);
    const added = [...own].filter((k) => !keys.has(k)).length;
    if (chunk.length > 0 && chunk.length + 1 + keys.size + added > SPEND_DEFAULTS.maxWritesPerCommit) {
      chunks.push(chunk);
      chunk = [];
      keys = new Set();
    }
    chunk.push(r);
    for (const k of own) keys.add(k);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

async function commitChunk(db: Firestore, records: SpendRecord[], scoped: readonly ScopedBudget[], options: CommitOptions): Promise<CommitResult> {
  const shardCount = options.shardCount ?? SPEND_DEFAULTS.shardCount;
  const random = options.random ?? Math.random;
  const now = options.now ?? new Date();
  const ledger = db.collection(COLLECTIONS.costEvents);
  const duplicates: string[] = [];
  let reads = 0;
  let batches = 0;
  let pending = records;

  while (pending.length > 0) {
    const batch = db.batch();
    for (const r of pending) batch.create(ledger.doc(r.event.eventId), ledgerEntry(r, now));
    const byPeriod = new Map<string, SpendRecord[]>();
    for (const r of pending) byPeriod.set(r.periodId, [...(byPeriod.get(r.periodId) ?? []), r]);
    for (const [periodId, periodRecords] of byPeriod) {
      const shard = Math.floor(random() * shardCount);
      const increments = periodRecords.map((r) => ({ category: r.event.payload.category, amountMicros: r.amountMicros, usage: r.usage }));
      batch.set(shardRef(db, periodId, shard), shardIncrements(increments, periodId, shard), { merge: true });
    }
    const scopeIncrements = scopeIncrementsOf(pending, scoped);
    const picker = options.shardPicker ?? processShardPicker;
    const choices = scopeIncrements.map((inc) => [inc.counterKey, addScopeIncrement(db, batch, inc, picker)] as const);
    try {
      await batch.commit();
      for (const [key, choice] of choices) picker.committed(key, choice);
      return { recorded: pending.map((r) => r.event.eventId), duplicates, reads, scoped: scopeIncrements, batches: batches + 1 };
    } catch (error) {
      if ((error as { code?: number }).code !== Status.ALREADY_EXISTS) throw error;
      batches += 1;
      const snapshots = await db.getAll(...pending.map((r) => ledger.doc(r.event.eventId)));
      reads += pending.length;
      const existing = new Set(snapshots.filter((s) => s.exists).map((s) => s.id));
      // ALREADY_EXISTS with nothing existing would loop forever; surface it instead.
      if (existing.size === 0) throw error;
      duplicates.push(...existing);
      pending = pending.filter((r) => !existing.has(r.event.eventId));
    }
  }
  return { recorded: [], duplicates, reads, scoped: [], batches };
}

export interface SpendTotals {
  totalMicros: number;
  categories: Record<CostCategory, number>;
  events: number;
}

/**
 * Sums a period's shards server-side (aggregation queries: one read per 1,000 shards), so the
 * totals are exact without reading every shard or keeping a hot total document.
 */
export async function readSpendTotals(db: Firestore, periodId: string, keys: readonly BudgetKey[] = BUDGET_KEYS): Promise<Partial<Record<BudgetKey, number>>> {
  const query = db.collection(COLLECTIONS.spendShards).where('period', '==', periodId);
  const fields = keys.map((k) => [k, k === 'TOTAL' ? 'totalMicros' : `categories.${k}`] as const);
  const result: Partial<Record<BudgetKey, number>> = {};
  // At most five aggregations per query.
  for (let i = 0; i < fields.length; i += 5) {
    const chunk = fields.slice(i, i + 5);
    const snapshot = await query.aggregate(Object.fromEntries(chunk.map(([k, f]) => [k, AggregateField.sum(f)]))).get();
    const data = snapshot.data() as Record<string, number | null>;
    for (const [k] of chunk) result[k] = data[k] ?? 0;
  }
  return result;
}

export interface PeriodSpend extends SpendTotals {
  models: Record<string, ModelUsage>;
  shards: number;
}

/** Reads every shard of a period (reports only: a handful of documents), with per-model usage. */
export async function readPeriodSpend(db: Firestore, periodId: string): Promise<PeriodSpend> {
  const snapshot = await db.collection(COLLECTIONS.spendShards).where('period', '==', periodId).get();
  const spend: PeriodSpend = {
    totalMicros: 0,
    events: 0,
    categories: Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>,
    models: {},
    shards: snapshot.size,
  };
  for (const doc of snapshot.docs) {
    const d = doc.data() as { totalMicros?: number; events?: number; categories?: Record<string, number>; models?: Record<string, Record<string, number>> };
    spend.totalMicros += d.totalMicros ?? 0;
    spend.events += d.events ?? 0;
    for (const c of COST_CATEGORIES) spend.categories[c] += d.categories?.[c] ?? 0;
    for (const [name, m] of Object.entries(d.models ?? {})) {
      const into = (spend.models[name] ??= { micros: 0, events: 0, ...(Object.fromEntries(MODEL_COUNTERS.map((c) => [c, 0])) as Record<(typeof MODEL_COUNTERS)[number], number>) });
      into.micros += m.micros ?? 0;
      into.events += m.events ?? 0;
      for (const c of MODEL_COUNTERS) into[c] += m[c] ?? 0;
    }
  }
  return spend;
}

/** Records when a period's spend started — the earliest event seen, whatever order they came in. */
export async function ensurePeriodStart(db: Firestore, periodId: string, firstEventAt: Date): Promise<Date> {
  const ref = db.collection(COLLECTIONS.spendPeriods).doc(periodId);
  return db.runTransaction(async (tx) => {
    const stored = ((await tx.get(ref)).get('firstEventAt') as Timestamp | undefined)?.toDate();
    if (stored && stored.getTime() <= firstEventAt.getTime()) return stored;
    tx.set(ref, { period: periodId, firstEventAt: Timestamp.fromDate(firstEventAt) });
    return firstEventAt;
  });
}

export async function readPeriodStart(db: Firestore, periodId: string): Promise<Date | undefined> {
  const snapshot = await db.collection(COLLECTIONS.spendPeriods).doc(periodId).get();
  return (snapshot.get('firstEventAt') as Timestamp | undefined)?.toDate();
}
