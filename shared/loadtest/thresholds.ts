import type { Recording } from './recording';
import type { LoadTestSummary } from './summary';

export class ThresholdError extends Error {
  override readonly name = 'ThresholdError';
}

const COMPARATORS = ['<=', '>=', '<', '>', '=='] as const;
type Comparator = (typeof COMPARATORS)[number];

/** A pass/fail criterion in k6's style: `p95<500`, `p(99)<=800`, `avg<200`, `error_rate<1%`, `rps>45`. */
export interface Threshold {
  expression: string;
  /** `p95`, `avg`, `min`, `max`, `error_rate`, `rps`, `requests`. */
  metric: string;
  comparator: Comparator;
  /** In the metric's unit: ms for latencies, a 0–1 ratio for error_rate, requests/s for rps. */
  limit: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | null;
  ok: boolean;
}

const PATTERN = /^\s*(avg|min|max|med|p\(\d+(?:\.\d+)?\)|p\d+(?:\.\d+)?|error_rate|success_rate|rps|requests)\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?)\s*(%|ms|s)?\s*$/;

/** Parses one threshold; an unknown metric, comparator or unit is a ThresholdError naming the text. */
export function parseThreshold(expression: string): Threshold {
  const m = PATTERN.exec(expression);
  if (!m) {
    throw new ThresholdError(`threshold "${expression}" is not <metric><op><value>: metric avg, min, max, med, p95, p(99.9), error_rate, success_rate, rps or requests; op < <= > >= ==; e.g. p95<500, error_rate<1%, rps>45`);
  }
  let metric = m[1]!;
  const unit = m[4];
  let limit = Number(m[3]);
  if (metric === 'med') metric = 'p50';
  if (metric.startsWith('p(')) metric = `p${metric.slice(2, -1)}`;
  const isLatency = metric.startsWith('p') || ['avg', 'min', 'max'].includes(metric);
  const isRatio = metric === 'error_rate' || metric === 'success_rate';
  if (isLatency) {
    if (unit === '%') throw new ThresholdError(`threshold "${expression}": latency takes ms or s, not %`);
    if (unit === 's') limit *= 1000;
    const q = Number(metric.slice(1));
    if (metric.startsWith('p') && !(q > 0 && q < 100)) throw new ThresholdError(`threshold "${expression}": a percentile is between 0 and 100`);
  } else if (isRatio) {
    if (unit === 'ms' || unit === 's') throw new ThresholdError(`threshold "${expression}": a rate takes % or a ratio`);
    if (unit === '%') limit /= 100;
    if (limit > 1) throw new ThresholdError(`threshold "${expression}": a rate is at most 100 % (write 1% or 0.01)`);
  } else if (unit) {
    throw new ThresholdError(`threshold "${expression}": ${metric} takes a plain number`);
  }
  return { expression: expression.trim(), metric, comparator: m[2] as Comparator, limit };
}

/** The value a threshold's metric has in a summary (null when there were no requests). */
export function metricValue(summary: LoadTestSummary, recording: Recording, metric: string): number | null {
  const l = summary.latencyMilliseconds;
  switch (metric) {
    case 'avg': return l.avg;
    case 'min': return l.min;
    case 'max': return l.max;
    case 'error_rate': return summary.totals.requests === 0 ? null : summary.totals.errorRate;
    case 'success_rate': return summary.totals.requests === 0 ? null : summary.totals.successRate;
    case 'rps': return summary.rps;
    case 'requests': return summary.totals.requests;
    default: return recording.total.quantileMilliseconds(Number(metric.slice(1)) / 100);
  }
}

const compare = (a: number, op: Comparator, b: number) => (op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : op === '>=' ? a >= b : a === b);

/** Each threshold against the summary; one with no value (no requests) fails. */
export function evaluateThresholds(summary: LoadTestSummary, recording: Recording, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metricValue(summary, recording, t.metric);
    return { ...t, actual, ok: actual !== null && compare(actual, t.comparator, t.limit) };
  });
}

/**
 * Defaults when none are given: the seed's critical API latency (p95 < 500 ms), at most 1 % errors,
 * and — in the open model — at least 90 % of the planned request rate, so a target (or a generator)
 * that could not keep up fails.
 */
export function defaultThresholds(plannedRps: number | null): Threshold[] {
  const list = ['p95<500', 'error_rate<1%'].map(parseThreshold);
  if (plannedRps !== null) list.push(parseThreshold(`rps>=${(Math.floor(plannedRps * 0.9 * 100) / 100).toString()}`));
  return list;
}
