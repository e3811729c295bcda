import type { Firestore } from '@google-cloud/firestore';
import type { Aggregate } from '../metrics/bucket';
import { readAggregates } from '../store/metric-buckets';

export interface CacheHitSummary {
  /** Mean of CACHE_HIT_RATE over the window: hits per 100 lookups. */
  hitRatePercent: number;
  target: number;
  met: boolean;
  lookups: number;
  /** Share of lookups (0–1) answered by each tier (`l1`, `l2`, `semantic`) or missed (`miss`), from the `tier` label. */
  byTier: Record<string, number>;
  /** The same, per cache (the `cache` label). */
  byCache: Record<string, { hitRatePercent: number; lookups: number }>;
}

/** The hit rate against its target, from CACHE_HIT_RATE aggregates (count = lookups, sum = 100 × hits). */
export function cacheHitSummary(aggregates: readonly Aggregate[], target: number): CacheHitSummary | undefined {
  const lookups = aggregates.reduce((n, a) => n + a.count, 0);
  if (lookups === 0) return undefined;
  const hitRatePercent = aggregates.reduce((n, a) => n + a.sum, 0) / lookups;
  const byTier: Record<string, number> = {};
  const caches: Record<string, { sum: number; count: number }> = {};
  for (const a of aggregates) {
    const tier = a.labels.tier ?? 'untiered';
    byTier[tier] = (byTier[tier] ?? 0) + a.count / lookups;
    const c = (caches[a.labels.cache ?? 'unlabelled'] ??= { sum: 0, count: 0 });
    c.sum += a.sum;
    c.count += a.count;
  }
  const byCache = Object.fromEntries(Object.entries(caches).map(([k, c]) => [k, { hitRatePercent: c.sum / c.count, lookups: c.count }]));
  return { hitRatePercent, target, met: hitRatePercent >= target, lookups, byTier, byCache };
}

export interface CacheSavings {
  /** Cost the cache's hits avoided, integer micro-USD. */
  savedMicros: number;
  hits: number;
  byModel: Record<string, { savedMicros: number; hits: number }>;
}

/** What the cache saved between two instants, from the CACHE_SAVINGS hour buckets. */
export async function cacheSavingsBetween(db: Firestore, from: Date, to: Date): Promise<CacheSavings> {
  const aggregates = await readAggregates(db, 'CACHE_SAVINGS', from, to, 'hour');
  const out: CacheSavings = { savedMicros: 0, hits: 0, byModel: {} };
  for (const a of aggregates) {
    // Each sample is an integer number of micro-USD, so sums are exact; rounding only guards float noise.
    const micros = Math.round(a.sum);
    out.savedMicros += micros;
    out.hits += a.count;
    const m = (out.byModel[a.labels.model ?? 'unknown'] ??= { savedMicros: 0, hits: 0 });
    m.savedMicros += micros;
    m.hits += a.count;
  }
  return out;
}
