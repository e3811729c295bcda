import type { Firestore } from '@google-cloud/firestore';
import { periodOf } from '../basics/period';
import type { PerformanceAlert } from '../contracts/performance-alert';
import { METRIC_TYPES, type MetricType } from '../contracts/vocabulary';
import type { Aggregate } from '../metrics/bucket';
import { groupAggregates } from '../metrics/group-aggregates';
import { performanceRecommendations, type PerformanceRecommendation } from '../metrics/performance-recommendations';
import type { Labels } from '../metrics/series';
import { statisticsOf, windowStatistics, type Statistics, type WindowStatistics } from '../metrics/statistics';
import { windowMilliseconds, windowsEndingAt } from '../metrics/windows';
import { performanceAlertsBetween } from '../store/metric-alerts-store';
import { MINUTE_RESOLUTION_MAX_MILLISECONDS, readAggregates, resolutionFor, type BucketAggregate } from '../store/metric-buckets';
import { loadAlertRules } from '../store/metric-rules-store';
import { readSpendTotals } from '../store/spend-shards';
import { cacheHitSummary, type CacheHitSummary } from './cache-report';

/** Statistics of a metric over a window ending now, with the trend against the window before. */
export async function metricStatistics(db: Firestore, metric: MetricType, window: string, filter: Labels = {}, now: Date = new Date()): Promise<WindowStatistics> {
  const { current, previous } = windowsEndingAt(now, window);
  const resolution = resolutionFor(windowMilliseconds(window));
  const [cur, prev] = await Promise.all([
    readAggregates(db, metric, current.start, current.end, resolution, filter),
    readAggregates(db, metric, previous.start, previous.end, resolution, filter),
  ]);
  return windowStatistics(metric, { window: current, aggregates: cur }, prev);
}

export interface PerformanceReport {
  window: { label: string; start: string; end: string };
  generatedAt: string;
  metrics: Partial<Record<MetricType, { overall: Statistics; byOperation: Record<string, Statistics> }>>;
  alerts: PerformanceAlert[];
  recommendations: PerformanceRecommendation[];
  /** The response cache's hit rate against its target (the cache-hit-rate rule's limit), per tier and cache. */
  cache?: CacheHitSummary;
}

/** Statistics per metric and operation, the alerts of the window, and recommendations. */
export async function performanceReport(db: Firestore, window = '24h', now: Date = new Date()): Promise<PerformanceReport> {
  const ms = windowMilliseconds(window);
  const { current } = windowsEndingAt(now, window);
  const resolution = resolutionFor(ms);
  // Error bursts are looked for at minute resolution, over at most the span minute buckets are kept
  // for; when the window itself is read by the minute, that read serves.
  const burstFrom = new Date(Math.max(current.start.getTime(), now.getTime() - MINUTE_RESOLUTION_MAX_MILLISECONDS));
  const [perMetric, errorAggregates, alerts, rules, spend] = await Promise.all([
    Promise.all(METRIC_TYPES.map((m) => readAggregates(db, m, current.start, now, resolution))),
    resolution === 'minute' ? undefined : readAggregates(db, 'ERROR_RATE', burstFrom, now, 'minute'),
    performanceAlertsBetween(db, current.start, now),
    loadAlertRules(db),
    readSpendTotals(db, periodOf(now).id, ['AI_API_CALLS']).catch(() => undefined),
  ]);
  const metrics: PerformanceReport['metrics'] = {};
  METRIC_TYPES.forEach((metric, i) => {
    const aggregates = perMetric[i] as Aggregate[];
    if (aggregates.length === 0) return;
    const byOperation = Object.fromEntries(
      groupAggregates(aggregates.filter((a) => a.labels.operation), ['operation']).map((g) => [g.group.operation as string, statisticsOf(g.aggregates, ms)]),
    );
    metrics[metric] = { overall: statisticsOf(aggregates, ms), byOperation };
  });

  const errorMinutes: Record<string, { at: number; rate: number; count: number }[]> = {};
  for (const g of groupAggregates(errorAggregates ?? perMetric[METRIC_TYPES.indexOf('ERROR_RATE')]!, ['operation'])) {
    const byMinute = new Map<number, Aggregate[]>();
    for (const a of g.aggregates as BucketAggregate[]) {
      const at = a.bucketStart;
      byMinute.set(at, [...(byMinute.get(at) ?? []), a]);
    }
    errorMinutes[g.group.operation || '(none)'] = [...byMinute]
      .sort((x, y) => x[0] - y[0])
      .map(([at, aggs]) => {
        const s = statisticsOf(aggs, 60_000);
        return { at, rate: s.mean ?? 0, count: s.count };
      });
  }
  const resourceMeans = (['CPU_USAGE', 'MEMORY_USAGE'] as const).flatMap((metric) =>
    groupAggregates(perMetric[METRIC_TYPES.indexOf(metric)] as Aggregate[], ['agent', 'scope']).map((g) => ({
      metric,
      group: `${g.group.agent || 'agents'} (${g.group.scope || 'all'})`,
      mean: statisticsOf(g.aggregates, ms).mean ?? 0,
    })),
  );

  const hitTarget = rules.config.find((r) => r.metric === 'CACHE_HIT_RATE' && r.statistic === 'mean')?.limit ?? 60;
  const cache = cacheHitSummary(perMetric[METRIC_TYPES.indexOf('CACHE_HIT_RATE')] as Aggregate[], hitTarget);
  return {
    ...(cache ? { cache } : {}),
    window: { label: window, start: current.start.toISOString(), end: now.toISOString() },
    generatedAt: now.toISOString(),
    metrics,
    alerts,
    recommendations: performanceRecommendations({
      rules: rules.config,
      latencyByOperation: metrics.LATENCY?.byOperation ?? {},
      cacheHitRate: metrics.CACHE_HIT_RATE?.overall,
      errorMinutes,
      errorRateOverall: metrics.ERROR_RATE?.overall,
      resourceMeans,
      aiSpendMicros: spend?.AI_API_CALLS ?? null,
    }),
  };
}
