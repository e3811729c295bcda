import type { MetricType } from '../contracts/vocabulary';
import { emptyAggregate, mergeAggregates, type Aggregate } from './bucket';
import { quantile } from './sketch';
import type { Window } from './windows';

export interface Statistics {
  count: number;
  mean: number | null;
  median: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
  /** Samples per second over the window. */
  rate: number;
}

export interface Trend {
  /** Relative change of the mean against the previous window (0.1 = +10 %); null without data. */
  mean: number | null;
  p95: number | null;
  count: number | null;
  direction: 'up' | 'down' | 'flat' | 'unknown';
}

export interface WindowStatistics extends Statistics {
  metric: MetricType;
  window: { label: string; start: string; end: string };
  previous: Statistics;
  trend: Trend;
}

/** Below this relative change a trend is "flat": noise, not a direction. */
export const FLAT_TREND = 0.05;

/** Statistics of merged aggregates over a window of the given length. */
export function statisticsOf(aggregates: readonly Aggregate[], windowMilliseconds: number): Statistics {
  const merged = aggregates.reduce<Aggregate | undefined>((acc, a) => {
    const into = acc ?? emptyAggregate(a.metric, {});
    mergeAggregates(into, a);
    return into;
  }, undefined);
  if (!merged || merged.count === 0) {
    return { count: 0, mean: null, median: null, p95: null, p99: null, min: null, max: null, rate: 0 };
  }
  return {
    count: merged.count,
    mean: merged.sum / merged.count,
    median: quantile(merged.sketch, 0.5) ?? null,
    p95: quantile(merged.sketch, 0.95) ?? null,
    p99: quantile(merged.sketch, 0.99) ?? null,
    min: merged.min,
    max: merged.max,
    rate: merged.count / (windowMilliseconds / 1000),
  };
}

function change(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return (now - before) / Math.abs(before);
}

export function trendOf(current: Statistics, previous: Statistics): Trend {
  const mean = change(current.mean, previous.mean);
  return {
    mean,
    p95: change(current.p95, previous.p95),
    count: change(current.count, previous.count),
    direction: mean === null ? 'unknown' : Math.abs(mean) < FLAT_TREND ? 'flat' : mean > 0 ? 'up' : 'down',
  };
}

export function windowStatistics(metric: MetricType, current: { window: Window; aggregates: readonly Aggregate[] }, previous: readonly Aggregate[]): WindowStatistics {
  const ms = current.window.end.getTime() - current.window.start.getTime();
  const now = statisticsOf(current.aggregates, ms);
  const before = statisticsOf(previous, ms);
  return {
    metric,
    window: { label: current.window.label, start: current.window.start.toISOString(), end: current.window.end.toISOString() },
    ...now,
    previous: before,
    trend: trendOf(now, before),
  };
}
