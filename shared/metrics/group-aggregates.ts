import type { Aggregate } from './bucket';
import type { Labels } from './series';

export interface AggregateGroup {
  group: Labels;
  aggregates: Aggregate[];
}

/** Splits aggregates by the values of `groupBy` labels (series without a label group under ""). */
export function groupAggregates(aggregates: readonly Aggregate[], groupBy: readonly string[]): AggregateGroup[] {
  const groups = new Map<string, AggregateGroup>();
  for (const a of aggregates) {
    const group = Object.fromEntries(groupBy.map((k) => [k, a.labels[k] ?? '']));
    const key = JSON.stringify(group);
    const entry = groups.get(key) ?? { group, aggregates: [] };
    entry.aggregates.push(a);
    groups.set(key, entry);
  }
  return [...groups.values()];
}
