import { AggregateField, FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import type { SpendRecord } from '../budget/price-cost-event';
import type { BudgetWindow } from '../budget/budget-window';
import { budgetInstancesFor, counterKeyOf, type ScopedBudget } from '../budget/scoped-budget';
import type { SpendSubject } from '../budget/scope';
import type { CostCategory } from '../contracts/vocabulary';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';

export const SCOPE_SPEND_DEFAULTS = {
  // One agent at 200 events/s makes a few dozen group commits a second: spread over 16 shards
  // each counter document stays near a write per second (Firestore's sustained rate per document).
  shardCount: 16,
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

/** Counters per `in` query: Firestore's limit on the values of one `in` filter. */
const COUNTERS_PER_QUERY = 30;

/**
 * Each counter's total: its shard documents read by `counter in [...]`, 30 counters a query, and
 * summed here — one round trip for a whole commit's counters, and a read per shard written (a
 * quiet agent's counter has one or two; a busy one at most 16). `reads` counts the documents.
 */
export async function readScopeTotals(db: Firestore, counterKeys: readonly string[]): Promise<{ totals: Record<string, number>; reads: number }> {
  const keys = [...new Set(counterKeys)];
  const totals: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  let reads = 0;
  const chunks = Array.from({ length: Math.ceil(keys.length / COUNTERS_PER_QUERY) }, (_, i) => keys.slice(i * COUNTERS_PER_QUERY, (i + 1) * COUNTERS_PER_QUERY));
  await Promise.all(
    chunks.map(async (chunk) => {
      const snapshot = await db.collection(COLLECTIONS.scopeSpend).where('counter', 'in', chunk).select('counter', 'spentMicros').get();
      // An empty answer still costs a read.
      reads += Math.max(1, snapshot.size);
      for (const doc of snapshot.docs) totals[doc.get('counter') as string] = (totals[doc.get('counter') as string] ?? 0) + ((doc.get('spentMicros') as number | undefined) ?? 0);
    }),
  );
  return { totals, reads };
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
