import type { Firestore } from '@google-cloud/firestore';
import type { MetricType } from '../../shared/contracts/vocabulary';
import type { AlertRule } from '../../shared/metrics/alert-rules';
import { statisticsOf, type Statistics } from '../../shared/metrics/statistics';
import { windowMilliseconds, windowsEndingAt } from '../../shared/metrics/windows';
import { readAggregates, resolutionFor, type BucketAggregate } from '../../shared/store/metric-buckets';
import { loadAlertRules } from '../../shared/store/metric-rules-store';

/** The metrics the performance panel charts. */
export const PANEL_METRICS = ['LATENCY', 'ERROR_RATE', 'CACHE_HIT_RATE'] as const satisfies readonly MetricType[];
export type PanelMetric = (typeof PANEL_METRICS)[number];

/** One point per bucket: the bucket's start and its statistics across shards and series. */
export interface SeriesPoint {
  at: number;
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** A target from the alert rules in force: the line the chart draws and what crossing it means. */
export interface MetricTarget {
  ruleId: string;
  statistic: string;
  comparator: 'above' | 'below';
  limit: number;
  severity: string;
}

export interface MetricPanel {
  metric: PanelMetric;
  overall: Statistics;
  series: SeriesPoint[];
  targets: MetricTarget[];
}

export interface PerformanceView {
  window: { label: string; start: string; end: string; resolution: 'minute' | 'hour' };
  metrics: Record<PanelMetric, MetricPanel>;
}

/**
 * One point per bucket of the window, oldest first, merging the shards and series of each bucket;
 * buckets without data are points with null statistics, so the chart's time axis is the window.
 */
export function seriesOf(aggregates: readonly BucketAggregate[], from: Date, to: Date, bucketMilliseconds: number): SeriesPoint[] {
  const byBucket = new Map<number, BucketAggregate[]>();
  for (const a of aggregates) byBucket.set(a.bucketStart, [...(byBucket.get(a.bucketStart) ?? []), a]);
  const first = Math.floor(from.getTime() / bucketMilliseconds) * bucketMilliseconds;
  const points: SeriesPoint[] = [];
  for (let at = first; at < to.getTime(); at += bucketMilliseconds) {
    const s = statisticsOf(byBucket.get(at) ?? [], bucketMilliseconds);
    points.push({ at, count: s.count, mean: s.mean, p50: s.median, p95: s.p95, p99: s.p99 });
  }
  return points;
}

/** The rules of a metric as chart targets (the same limits the evaluator alerts on). */
export function targetsOf(rules: readonly AlertRule[], metric: MetricType): MetricTarget[] {
  return rules
    .filter((r) => r.metric === metric)
    .map((r) => ({ ruleId: r.id, statistic: r.statistic, comparator: r.comparator, limit: r.limit, severity: r.severity }));
}

/** Latency percentiles, error rate and cache hit rate over `window` ending at `now`: one read per metric. */
export async function performanceView(db: Firestore, window: string, now: Date = new Date()): Promise<PerformanceView> {
  const ms = windowMilliseconds(window);
  const { current } = windowsEndingAt(now, window);
  const resolution = resolutionFor(ms);
  const bucketMilliseconds = resolution === 'minute' ? 60_000 : 3_600_000;
  const [rules, ...perMetric] = await Promise.all([loadAlertRules(db), ...PANEL_METRICS.map((m) => readAggregates(db, m, current.start, now, resolution))]);
  const metrics = Object.fromEntries(
    PANEL_METRICS.map((metric, i) => {
      const aggregates = perMetric[i] as BucketAggregate[];
      return [metric, { metric, overall: statisticsOf(aggregates, ms), series: seriesOf(aggregates, current.start, now, bucketMilliseconds), targets: targetsOf(rules.config, metric) }];
    }),
  ) as Record<PanelMetric, MetricPanel>;
  return { window: { label: window, start: current.start.toISOString(), end: now.toISOString(), resolution }, metrics };
}
