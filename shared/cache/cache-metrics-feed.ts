import type { MetricPayload } from '../contracts/metric-event';
import { encodeSketch, newSketch } from '../metrics/sketch';
import type { LookupOutcome } from './cache-stats';

/** Where the feed sends its aggregates: a GovernorPublisher (its `emit`). */
export interface CacheMetricsSink {
  emit(input: { type: 'metric'; payload: MetricPayload }): unknown;
}

interface Counts {
  lookups: number;
  hits: number;
}

interface Savings {
  tier: string;
  model: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Folds each lookup into per-interval counters (a map increment on the hot path: the publisher's
 * per-sample validation costs more than an L1 hit) and, every interval, emits one aggregate per
 * series through the publisher: CACHE_HIT_RATE (labels `cache`, `tier`: the tier that answered,
 * or `miss`; a sample of 100 per hit and 0 per miss, so the mean over all tiers is the hit rate)
 * and CACHE_SAVINGS (labels `cache`, `tier`, `model`; the micro-USD each hit avoided).
 */
export class CacheMetricsFeed {
  private lookups = new Map<LookupOutcome, Counts>();
  private savings = new Map<string, Savings>();
  private intervalStart: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cache: string,
    private readonly sink: CacheMetricsSink,
    private readonly intervalMilliseconds: number,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.intervalStart = now();
  }

  lookup(outcome: LookupOutcome, costMicros: number | undefined, model: string | undefined): void {
    let c = this.lookups.get(outcome);
    if (!c) this.lookups.set(outcome, (c = { lookups: 0, hits: 0 }));
    c.lookups += 1;
    if (outcome !== 'miss') {
      c.hits += 1;
      if (costMicros !== undefined) this.saved(outcome, model ?? 'unknown', costMicros);
    }
    this.timer ??= this.start();
  }

  /** Emits this interval's aggregates now. Failures go to onError; the cache never throws for metrics. */
  flush(): void {
    const lookups = this.lookups;
    const savings = this.savings;
    this.lookups = new Map();
    this.savings = new Map();
    const start = new Date(this.intervalStart).toISOString();
    const end = new Date(Math.max(this.now(), this.intervalStart)).toISOString();
    this.intervalStart = this.now();
    for (const [tier, c] of lookups) {
      const sketch = newSketch();
      if (c.hits) sketch.accept(100, c.hits);
      if (c.lookups - c.hits) sketch.accept(0, c.lookups - c.hits);
      const hit = c.hits > 0;
      this.send({ metric: 'CACHE_HIT_RATE', labels: { cache: this.cache, tier }, intervalStart: start, intervalEnd: end, count: c.lookups, sum: 100 * c.hits, min: hit && c.hits === c.lookups ? 100 : 0, max: hit ? 100 : 0, sketch: encodeSketch(sketch).toString('base64') });
    }
    for (const s of savings.values()) {
      this.send({ metric: 'CACHE_SAVINGS', labels: { cache: this.cache, tier: s.tier, model: s.model }, intervalStart: start, intervalEnd: end, count: s.count, sum: s.sum, min: s.min, max: s.max });
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private saved(tier: string, model: string, micros: number): void {
    const key = `${tier}\u0000${model}`;
    const s = this.savings.get(key);
    if (!s) {
      this.savings.set(key, { tier, model, count: 1, sum: micros, min: micros, max: micros });
      return;
    }
    s.count += 1;
    s.sum += micros;
    if (micros < s.min) s.min = micros;
    if (micros > s.max) s.max = micros;
  }

  private send(payload: MetricPayload): void {
    try {
      this.sink.emit({ type: 'metric', payload });
    } catch (error) {
      this.onError(error);
    }
  }

  private start(): NodeJS.Timeout {
    const timer = setInterval(() => this.flush(), this.intervalMilliseconds);
    // Metrics never keep an agent alive.
    timer.unref();
    return timer;
  }
}
