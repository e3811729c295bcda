import { AggregateField, Timestamp, type Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from '../basics/collections';

/** A time (ms since the epoch) and the cumulative spend of a window up to it. */
export interface SpendPoint {
  at: number;
  spentMicros: number;
}

/**
 * Cumulative spend of one budget's window against its pace line: the budget × the elapsed share of
 * the window, a straight line from (start, 0) to (end, budget). Spend above the line at any time
 * is spend ahead of the budget's pace.
 */
export interface SpendCurve {
  budget: string;
  scope: string;
  windowStart: number;
  windowEnd: number;
  budgetMicros: number;
  /** Oldest first, from (windowStart, 0) to (now, spent now). */
  points: SpendPoint[];
  /** The pace line's two ends (a straight line on a time axis). */
  pace: SpendPoint[];
  /** `ledger`: exact at every bucket end; `watched`: samples taken while the dashboard watched it. */
  source: 'ledger' | 'watched';
}

export const SPEND_OVER_TIME_DEFAULTS = {
  // A bucket's sum is read once it ended this long ago, then kept: `recordedAt` is the server's
  // commit time, so a bucket that ended (beyond clock skew between us and Firestore) never changes.
  settleMilliseconds: 60_000,
  // Watched samples kept per scope window; past it every second one is dropped (the curve thins, the ends stay).
  maxSamples: 240,
} as const;

/** The pace line of a window: budget × elapsed share, at its start and end. */
export function paceOf(windowStart: number, windowEnd: number, budgetMicros: number): SpendPoint[] {
  return [
    { at: windowStart, spentMicros: 0 },
    { at: windowEnd, spentMicros: budgetMicros },
  ];
}

/** UTC day boundaries strictly inside a window (the bucket ends of the fleet's monthly curve). */
export function dayBoundaries(windowStart: number, windowEnd: number): number[] {
  const day = 86_400_000;
  const out: number[] = [];
  for (let at = Math.floor(windowStart / day) * day + day; at < windowEnd; at += day) out.push(at);
  return out;
}

/** Settled bucket sums of the fleet's ledger, by `<period>|<bucket end ms>`: kept per dashboard instance. */
export type LedgerBucketCache = Map<string, number>;

/**
 * The fleet's cumulative spend this month, per UTC day, from the ledger (`governor_cost_events`):
 * one aggregation query per day bucket `period == P, recordedAt in [previous day end, day end)`
 * summing `amountMicros`, each read once when the day has settled and then served from `cache`;
 * the last point is `totalMicros` (the period's exact total from its shards, already read). So the
 * reads are bounded by time — at most one query per day of the month per instance — never by
 * events on each refresh (an aggregation costs one read per 1,000 index entries it scans).
 */
export async function fleetSpendCurve(
  db: Firestore,
  input: { periodId: string; windowStart: Date; windowEnd: Date; budgetMicros: number; totalMicros: number; now: Date },
  cache: LedgerBucketCache,
): Promise<SpendCurve> {
  const start = input.windowStart.getTime();
  const end = input.windowEnd.getTime();
  const now = input.now.getTime();
  const settled = dayBoundaries(start, end).filter((b) => b + SPEND_OVER_TIME_DEFAULTS.settleMilliseconds <= now);
  const ledger = db.collection(COLLECTIONS.costEvents).where('period', '==', input.periodId);
  await Promise.all(
    settled.map(async (bucketEnd, i) => {
      const key = `${input.periodId}|${bucketEnd}`;
      if (cache.has(key)) return;
      // The first bucket also holds entries recorded before the month began (agents' clock skew).
      const from = i === 0 ? ledger : ledger.where('recordedAt', '>=', Timestamp.fromMillis(settled[i - 1] as number));
      const snapshot = await from.where('recordedAt', '<', Timestamp.fromMillis(bucketEnd)).aggregate({ spent: AggregateField.sum('amountMicros') }).get();
      cache.set(key, snapshot.data().spent ?? 0);
    }),
  );
  const points: SpendPoint[] = [{ at: start, spentMicros: 0 }];
  let cumulative = 0;
  for (const bucketEnd of settled) {
    cumulative += cache.get(`${input.periodId}|${bucketEnd}`) ?? 0;
    points.push({ at: bucketEnd, spentMicros: cumulative });
  }
  points.push({ at: Math.min(now, end), spentMicros: Math.max(cumulative, input.totalMicros) });
  return { budget: 'TOTAL', scope: 'fleet', windowStart: start, windowEnd: end, budgetMicros: input.budgetMicros, points, pace: paceOf(start, end, input.budgetMicros), source: 'ledger' };
}

/**
 * Cumulative spend of scope windows sampled as the dashboard reads their counters. A scope's
 * counters hold a window's total, not its history, so the curve is (window start, 0), then each
 * total read while a viewer watched the scope (one aggregation read per refresh, shared by every
 * viewer). Samples of ended windows are dropped; each window keeps at most `maxSamples`.
 */
export class WatchedSpend {
  private readonly samples = new Map<string, SpendPoint[]>();

  constructor(private readonly maxSamples: number = SPEND_OVER_TIME_DEFAULTS.maxSamples) {}

  /** Records a counter total read at `at` and returns the window's curve. */
  record(line: { budget: string; scope: string; windowId: string; windowStart: string; windowEnd: string; budgetMicros: number; spentMicros: number }, at: number): SpendCurve {
    const start = Date.parse(line.windowStart);
    const end = Date.parse(line.windowEnd);
    const key = `${line.budget}|${line.scope}|${line.windowId}`;
    let series = this.samples.get(key);
    if (!series) {
      series = [];
      this.samples.set(key, series);
      // A new window of this scope: its earlier windows' samples are of no further use.
      for (const k of this.samples.keys()) if (k !== key && k.startsWith(`${line.budget}|${line.scope}|`)) this.samples.delete(k);
    }
    const last = series.at(-1);
    if (!last || last.at < at) series.push({ at, spentMicros: line.spentMicros });
    if (series.length > this.maxSamples) this.samples.set(key, (series = series.filter((_, i) => i % 2 === 1 || i === series!.length - 1)));
    return {
      budget: line.budget,
      scope: line.scope,
      windowStart: start,
      windowEnd: end,
      budgetMicros: line.budgetMicros,
      points: [{ at: start, spentMicros: 0 }, ...series],
      pace: paceOf(start, end, line.budgetMicros),
      source: 'watched',
    };
  }

  /** Forgets the samples of scopes no viewer watches any more. */
  retain(scopes: ReadonlySet<string>): void {
    for (const key of this.samples.keys()) if (!scopes.has(key.split('|')[1] as string)) this.samples.delete(key);
  }
}
