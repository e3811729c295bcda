import type { MetricPayload } from '../contracts/metric-event';
import type { MetricType } from '../contracts/vocabulary';
import { seriesKeyOf, type Labels } from './series';
import { decodeSketch, encodeSketch, newSketch, type Sketch } from './sketch';

/** Bucket resolutions: minutes for recent detail, hours for long windows and retention. */
export const RESOLUTIONS = {
  minute: { milliseconds: 60_000, retentionDays: 3 },
  hour: { milliseconds: 3_600_000, retentionDays: 400 },
} as const;
export type Resolution = keyof typeof RESOLUTIONS;

/** A series' aggregate over one bucket (or a merge of several), in memory. */
export interface Aggregate {
  metric: MetricType;
  labels: Labels;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  /** When `last` was observed (the latest interval end merged). */
  lastAt: number;
  sketch: Sketch;
}

export function bucketStartOf(at: Date | number, resolution: Resolution): number {
  const ms = RESOLUTIONS[resolution].milliseconds;
  const t = typeof at === 'number' ? at : at.getTime();
  return Math.floor(t / ms) * ms;
}

export function emptyAggregate(metric: MetricType, labels: Labels): Aggregate {
  return { metric, labels, count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, last: 0, lastAt: 0, sketch: newSketch() };
}

/** Folds an agent's interval aggregate in (exact count/sum/min/max, merged sketch). */
export function mergePayload(into: Aggregate, payload: MetricPayload): void {
  into.count += payload.count;
  into.sum += payload.sum;
  into.min = Math.min(into.min, payload.min);
  into.max = Math.max(into.max, payload.max);
  const at = Date.parse(payload.intervalEnd);
  if (at >= into.lastAt) {
    into.lastAt = at;
    into.last = payload.last ?? payload.max;
  }
  if (payload.sketch) {
    into.sketch.merge(decodeSketch(Buffer.from(payload.sketch, 'base64')));
  } else {
    // A sender without a sketch still counts: each sample is approximated by the interval mean.
    into.sketch.accept(payload.sum / payload.count, payload.count);
  }
}

export function mergeAggregates(into: Aggregate, other: Aggregate): void {
  if (other.count === 0) return;
  into.count += other.count;
  into.sum += other.sum;
  into.min = Math.min(into.min, other.min);
  into.max = Math.max(into.max, other.max);
  if (other.lastAt >= into.lastAt) {
    into.lastAt = other.lastAt;
    into.last = other.last;
  }
  into.sketch.merge(other.sketch);
}

/** The stored form of an aggregate (Firestore fields; the sketch as protobuf bytes). */
export type StoredAggregate = Omit<Aggregate, 'labels' | 'sketch'> & { labels: Record<string, string>; seriesKey: string; sketch: Buffer };

export function toStored(a: Aggregate): StoredAggregate {
  return { metric: a.metric, labels: { ...a.labels }, seriesKey: seriesKeyOf(a.metric, a.labels), count: a.count, sum: a.sum, min: a.min, max: a.max, last: a.last, lastAt: a.lastAt, sketch: encodeSketch(a.sketch) };
}

export function fromStored(s: StoredAggregate): Aggregate {
  return { metric: s.metric, labels: s.labels, count: s.count, sum: s.sum, min: s.min, max: s.max, last: s.last, lastAt: s.lastAt, sketch: decodeSketch(s.sketch) };
}
