import { newSketch, quantile, type Sketch } from '../metrics/sketch';

/** Where a lookup was answered; `miss` means the caller computed. */
export const CACHE_TIERS = ['l1', 'l2', 'semantic'] as const;
export type CacheTier = (typeof CACHE_TIERS)[number];
export type LookupOutcome = CacheTier | 'miss';

export interface LatencySummary {
  count: number;
  p50Microseconds: number | null;
  p99Microseconds: number | null;
}

export interface TierStats {
  hits: number;
  misses: number;
  /** Time to answer a lookup from this tier (hit or miss). */
  latency: LatencySummary;
}

export interface CacheStats {
  cache: string;
  lookups: number;
  hits: number;
  misses: number;
  /** Hits ÷ lookups, 0–1 (null before the first lookup). */
  hitRate: number | null;
  l1: TierStats & { entries: number; bytes: number; evictions: number };
  l2: TierStats & { enabled: boolean; connected: boolean; degraded: boolean; failures: number; bytesWritten: number };
  semantic: TierStats & { enabled: boolean };
  /** Callers that waited for a computation already running in this process. */
  coalesced: number;
  /** Callers that waited for another process's computation (Redis lock held). */
  lockWaits: number;
  computations: number;
  /** Cost of the computations hits avoided (integer micro-USD), and hits whose cost was unknown. */
  savedMicros: number;
  unpricedHits: number;
}

class TierCounter {
  hits = 0;
  misses = 0;
  readonly latency: Sketch = newSketch();

  record(hit: boolean, microseconds: number): void {
    if (hit) this.hits += 1;
    else this.misses += 1;
    this.latency.accept(Math.max(microseconds, 0.01));
  }

  summary(): TierStats {
    const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 100) / 100);
    return { hits: this.hits, misses: this.misses, latency: { count: this.latency.count, p50Microseconds: round(quantile(this.latency, 0.5)), p99Microseconds: round(quantile(this.latency, 0.99)) } };
  }
}

/** The counters behind `cache.stats()`: kept in process, cheap enough for the L1 hit path. */
export class CacheStatsCounters {
  readonly tiers: Record<CacheTier, TierCounter> = { l1: new TierCounter(), l2: new TierCounter(), semantic: new TierCounter() };
  lookups = 0;
  hits = 0;
  coalesced = 0;
  lockWaits = 0;
  computations = 0;
  savedMicros = 0;
  unpricedHits = 0;
  bytesWritten = 0;

  /** One lookup's final outcome. */
  outcome(outcome: LookupOutcome, costMicros: number | undefined): void {
    this.lookups += 1;
    if (outcome === 'miss') return;
    this.hits += 1;
    if (costMicros === undefined) this.unpricedHits += 1;
    else this.savedMicros += costMicros;
  }
}

export function summarizeStats(
  cache: string,
  c: CacheStatsCounters,
  l1: { entries: number; bytes: number; evictions: number },
  l2: { enabled: boolean; connected: boolean; degraded: boolean; failures: number },
  semanticEnabled: boolean,
): CacheStats {
  return {
    cache,
    lookups: c.lookups,
    hits: c.hits,
    misses: c.lookups - c.hits,
    hitRate: c.lookups === 0 ? null : c.hits / c.lookups,
    l1: { ...c.tiers.l1.summary(), ...l1 },
    l2: { ...c.tiers.l2.summary(), ...l2, bytesWritten: c.bytesWritten },
    semantic: { ...c.tiers.semantic.summary(), enabled: semanticEnabled },
    coalesced: c.coalesced,
    lockWaits: c.lockWaits,
    computations: c.computations,
    savedMicros: c.savedMicros,
    unpricedHits: c.unpricedHits,
  };
}
