import { createHash } from 'node:crypto';
import type { MetricType } from '../contracts/vocabulary';

export type Labels = Readonly<Record<string, string>>;

/** A series is a metric and its labels; the key is stable whatever order labels come in. */
export function seriesKeyOf(metric: MetricType, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return [metric, ...parts].join('|');
}

/** A short id for a series, safe in a Firestore document id. */
export function seriesIdOf(seriesKey: string): string {
  return createHash('sha256').update(seriesKey).digest('base64url').slice(0, 16);
}

/** True when every filter label is present with the same value. */
export function matchesLabels(labels: Labels, filter: Labels): boolean {
  return Object.entries(filter).every(([k, v]) => labels[k] === v);
}
