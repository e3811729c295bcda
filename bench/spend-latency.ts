/**
 * Where a spend event's time goes on the emulator: each Firestore call the spend path makes, run
 * serially through the same functions the aggregator uses, against a period of its own (so the
 * bench period's totals stay exact). Reported as p50 / mean milliseconds.
 */
import type { Firestore } from '@google-cloud/firestore';
import { ulid } from 'ulid';
import type { SpendRecord } from '../shared/budget/price-cost-event';
import { COST_CATEGORIES } from '../shared/contracts/vocabulary';
import { loadBudgetConfig } from '../shared/store/budget-config-store';
import { COLLECTIONS } from '../shared/basics/collections';
import { commitSpend, readSpendTotals, shardIncrements, shardRef } from '../shared/store/spend-shards';
import { applyFlags } from '../shared/store/throttle-flags-store';
import { fixed, percentile, table } from './bench-support';

const LATENCY_PERIOD = '2000-01';

function record(i: number): SpendRecord {
  const category = COST_CATEGORIES[i % COST_CATEGORIES.length]!;
  const event = { eventId: ulid(), schemaVersion: 1 as const, type: 'cost' as const, source: 'bench-latency', occurredAt: '2000-01-15T00:00:00.000Z', payload: { category, amountMicros: 1000 } };
  return { event, amountMicros: 1000, periodId: LATENCY_PERIOD };
}

async function timed(runs: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Runs each call `runs` times and returns a printable table. */
export async function measureSpendLatencies(db: Firestore, runs: number): Promise<string> {
  const { version } = await loadBudgetConfig(db);
  const noChange = { level: 'none' as const, ratio: 0, spentMicros: 0, budgetMicros: 1, setAt: new Date().toISOString() };
  const calls: [string, (i: number) => Promise<unknown>][] = [
    ['read one document', () => db.collection(COLLECTIONS.config).doc('budgets').get()],
    ['commit: ledger entry only', (i) => db.collection(COLLECTIONS.costEvents).doc(`latency-${ulid()}`).create({ period: LATENCY_PERIOD, n: i })],
    ['commit: shard increment only', (i) => shardRef(db, LATENCY_PERIOD, i % 16).set(shardIncrements([{ category: 'OTHER', amountMicros: 1 }], LATENCY_PERIOD, i % 16), { merge: true })],
    ['commit: one event (ledger + shard, commitSpend)', (i) => commitSpend(db, [record(i)])],
    ['commit: 16 events (commitSpend)', (i) => commitSpend(db, Array.from({ length: 16 }, (_, k) => record(i * 16 + k)))],
    ['aggregation read: all 9 budgets (2 queries)', () => readSpendTotals(db, LATENCY_PERIOD)],
    ['aggregation read: 2 budgets (1 query)', () => readSpendTotals(db, LATENCY_PERIOD, ['OTHER', 'TOTAL'])],
    ['flag transaction, nothing to change', () => applyFlags(db, LATENCY_PERIOD, { OTHER: noChange, TOTAL: noChange }, version)],
  ];
  const rows: string[][] = [['Firestore call (serial)', 'p50 ms', 'mean ms']];
  for (const [name, call] of calls) {
    await timed(Math.min(10, runs), call);
    const samples = await timed(runs, call);
    rows.push([name, fixed(percentile(samples, 50), 1), fixed(samples.reduce((a, b) => a + b, 0) / samples.length, 1)]);
  }
  return table(rows);
}
