import { AggregateField, FieldValue, Timestamp, type DocumentReference, type DocumentSnapshot, type Firestore } from '@google-cloud/firestore';
import { shardsToRead, SPREAD_MARKS, type CounterShardPicker, type ShardChoice } from './counter-shards';
import type { SpendRecord } from '../budget/price-cost-event';
import type { BudgetWindow } from '../budget/budget-window';
import { budgetInstancesFor, counterKeyOf, type ScopedBudget } from '../budget/scoped-budget';
import type { SpendSubject } from '../budget/scope';
import type { CostCategory } from '../contracts/vocabulary';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';

export const SCOPE_SPEND_DEFAULTS = {
  // Counters outlive their window long enough for reports of the previous periods, then expire by TTL.
  retentionDays: { hour: 35, day: 400, week: 400, month: 400 } satisfies Record<BudgetWindow, number>,
} as const;

/** What a commit adds to one scoped counter. */
export interface ScopeIncrement {
  counterKey: string;
  budgetId: string;
  instance: string;
  window: BudgetWindow;
  windowId: string;
  windowStart: Date;
  windowEnd: Date;
  amountMicros: number;
  events: number;
}

/** One cost as the scoped budgets see it: who spent, in what category, when, how much. */
export interface ScopedCost {
  subject: SpendSubject;
  category: CostCategory;
  at: Date;
  amountMicros: number;
}

/** The scoped counters a batch of records adds to, one increment per counter (summed over the batch). */
export function scopeIncrementsOf(records: readonly SpendRecord[], budgets: readonly ScopedBudget[]): ScopeIncrement[] {
  if (budgets.length === 0) return [];
  return scopeIncrementsOfCosts(
    records.map((r) => ({ subject: { source: r.event.source, attribution: r.event.payload.attribution, model: r.usage?.model }, category: r.event.payload.category, at: new Date(r.event.occurredAt), amountMicros: r.amountMicros })),
    budgets,
  );
}

/** The scoped counters some costs add to (agents' events, or Cloud Billing's increases), one increment per counter. */
export function scopeIncrementsOfCosts(costs: readonly ScopedCost[], budgets: readonly ScopedBudget[]): ScopeIncrement[] {
  const increments = new Map<string, ScopeIncrement>();
  for (const r of costs) {
    for (const found of budgetInstancesFor(budgets, r.subject, r.category, r.at)) {
      const counterKey = counterKeyOf(found.budget.id, found.instance, found.window.id);
      const inc = increments.get(counterKey);
      if (inc) {
        inc.amountMicros += r.amountMicros;
        inc.events += 1;
      } else {
        increments.set(counterKey, {
          counterKey,
          budgetId: found.budget.id,
          instance: found.instance,
          window: found.budget.window,
          windowId: found.window.id,
          windowStart: found.window.start,
          windowEnd: found.window.end,
          amountMicros: r.amountMicros,
          events: 1,
        });
      }
    }
  }
  return [...increments.values()];
}

/** A counter's shard document (`/` in an agent id is encoded: a document id may not hold it). */
export function scopeCounterRef(db: Firestore, counterKey: string, shard: number) {
  return db.collection(COLLECTIONS.scopeSpend).doc(`${encodeURIComponent(counterKey)}~${shard}`);
}

/** The merge-set adding an increment to one shard of its counter (created on first use). */
export function scopeCounterWrite(inc: ScopeIncrement, shard: number): Record<string, unknown> {
  return {
    counter: inc.counterKey,
    budgetId: inc.budgetId,
    scope: inc.instance,
    window: inc.window,
    windowId: inc.windowId,
    // The reports' query: every counter of one budget in one window.
    budgetWindow: `${inc.budgetId}|${inc.windowId}`,
    windowStart: Timestamp.fromDate(inc.windowStart),
    windowEnd: Timestamp.fromDate(inc.windowEnd),
    shard,
    spentMicros: FieldValue.increment(inc.amountMicros),
    events: FieldValue.increment(inc.events),
    // Writes to this shard so far: how hot a counter document runs (bench/scopes-hot-agent reads it).
    commits: FieldValue.increment(1),
    updatedAt: FieldValue.serverTimestamp(),
    [TTL_FIELD]: Timestamp.fromMillis(inc.windowEnd.getTime() + SCOPE_SPEND_DEFAULTS.retentionDays[inc.window] * 86_400_000),
  };
}

/** What `addScopeIncrement` writes through: a batch or a transaction. */
interface CounterWriter {
  set(ref: DocumentReference, data: Record<string, unknown>, options: { merge: true }): unknown;
}

/**
 * Adds one increment to its counter in `writer` (the commit that also holds the ledger entries):
 * on the shard the picker chooses, with a spread mark on shard 0 when it is the counter's first
 * write at that spread from this process. Call `picker.committed` with the result once the commit succeeds.
 */
export function addScopeIncrement(db: Firestore, writer: CounterWriter, inc: ScopeIncrement, picker: CounterShardPicker): ShardChoice {
  const choice = picker.choose(inc.counterKey);
  writer.set(scopeCounterRef(db, inc.counterKey, choice.shard), scopeCounterWrite(inc, choice.shard), { merge: true });
  if (choice.mark) writer.set(scopeCounterRef(db, inc.counterKey, 0), { ...scopeCounterWrite({ ...inc, amountMicros: 0, events: 0 }, 0), [SPREAD_MARKS[choice.mark]]: true }, { merge: true });
  return choice;
}

/** Document references per `getAll` call. */
const REFS_PER_READ = 300;

async function readDocs(db: Firestore, refs: readonly DocumentReference[]): Promise<DocumentSnapshot[]> {
  const chunks = Array.from({ length: Math.ceil(refs.length / REFS_PER_READ) }, (_, i) => refs.slice(i * REFS_PER_READ, (i + 1) * REFS_PER_READ));
  return (await Promise.all(chunks.map((chunk) => db.getAll(...chunk)))).flat();
}

/**
 * Each counter's total: shard 0 of every counter by document id in one round trip, then the other
 * shards of the counters whose shard 0 says they spread, as far as it says (see counter-shards.ts). `reads` counts the
 * documents asked for: one per quiet counter, 4 per warm one, 16 per hot one.
 */
export async function readScopeTotals(db: Firestore, counterKeys: readonly string[]): Promise<{ totals: Record<string, number>; reads: number }> {
  const keys = [...new Set(counterKeys)];
  const totals: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  const spentOf = (doc: DocumentSnapshot) => (doc.get('spentMicros') as number | undefined) ?? 0;
  const firsts = await readDocs(db, keys.map((k) => scopeCounterRef(db, k, 0)));
  const others = firsts.flatMap((doc, i) => {
    const key = keys[i]!;
    totals[key] = spentOf(doc);
    const more = shardsToRead({ [SPREAD_MARKS.warm]: doc.get(SPREAD_MARKS.warm), [SPREAD_MARKS.hot]: doc.get(SPREAD_MARKS.hot) });
    return Array.from({ length: more }, (_, n) => [key, scopeCounterRef(db, key, n + 1)] as const);
  });
  const rest = await readDocs(db, others.map(([, ref]) => ref));
  rest.forEach((doc, i) => (totals[others[i]![0]] = totals[others[i]![0]]! + spentOf(doc)));
  return { totals, reads: keys.length + others.length };
}

/** One counter's total by an aggregation query (one read whatever its shards): reports. */
export async function readScopeTotal(db: Firestore, counterKey: string): Promise<number> {
  const snapshot = await db.collection(COLLECTIONS.scopeSpend).where('counter', '==', counterKey).aggregate({ spent: AggregateField.sum('spentMicros') }).get();
  return snapshot.data().spent ?? 0;
}

/** One scope instance's spend in a budget's window, as the reports list it. */
export interface ScopeSpend {
  instance: string;
  spentMicros: number;
  events: number;
}

/**
 * Every scope instance's spend in one window of one budget (reports: reads every shard document
 * of the window, so its cost grows with the scope instances that spent in it), highest first.
 */
export async function readBudgetWindow(db: Firestore, budgetId: string, windowId: string): Promise<ScopeSpend[]> {
  const snapshot = await db.collection(COLLECTIONS.scopeSpend).where('budgetWindow', '==', `${budgetId}|${windowId}`).get();
  const byInstance = new Map<string, ScopeSpend>();
  for (const doc of snapshot.docs) {
    const instance = doc.get('scope') as string;
    const entry = byInstance.get(instance) ?? { instance, spentMicros: 0, events: 0 };
    entry.spentMicros += (doc.get('spentMicros') as number | undefined) ?? 0;
    entry.events += (doc.get('events') as number | undefined) ?? 0;
    byInstance.set(instance, entry);
  }
  return [...byInstance.values()].sort((a, b) => b.spentMicros - a.spentMicros || a.instance.localeCompare(b.instance));
}
