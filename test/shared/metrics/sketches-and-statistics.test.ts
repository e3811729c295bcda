import { parseEvent } from '../../../shared/contracts/event';
import { emptyAggregate, fromStored, mergeAggregates, mergePayload, toStored } from '../../../shared/metrics/bucket';
import { MetricAccumulator } from '../../../shared/metrics/metric-accumulator';
import { newSketch, quantile } from '../../../shared/metrics/sketch';
import { statisticsOf, trendOf } from '../../../shared/metrics/statistics';
import { windowMilliseconds, windowsEndingAt } from '../../../shared/metrics/windows';
import { newEventId } from '../../../shared/contracts/event-id';

/** Deterministic log-normal latencies (ms): a long tail like real model calls. */
function latencies(n: number, seed = 42): number[] {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    return Math.exp(5 + 0.8 * z);
  });
}

const exact = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
};

describe('metric aggregation', () => {
  describe('MetricAccumulator', () => {
    it('turns a thousand samples of a series into one valid payload', () => {
      const acc = new MetricAccumulator(10);
      const values = latencies(1000);
      for (const v of values) acc.record('LATENCY', v, { operation: 'generate' });
      const { payloads } = acc.drain();
      expect(payloads).toHaveLength(1);
      const p = payloads[0]!;
      expect(p).toMatchObject({ metric: 'LATENCY', count: 1000, min: Math.min(...values), max: Math.max(...values) });
      expect(p.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
      // The payload is a valid wire event.
      expect(() => parseEvent({ eventId: newEventId(), schemaVersion: 1, type: 'metric', source: 'a', occurredAt: new Date().toISOString(), payload: p })).not.toThrow();
      expect(acc.drain().payloads).toEqual([]);
    });

    it('refuses new series past its limit, and keeps accepting samples of the series it has', () => {
      const acc = new MetricAccumulator(2);
      expect(acc.record('LATENCY', 1, { operation: 'a' })).toBe(true);
      expect(acc.record('LATENCY', 1, { operation: 'b' })).toBe(true);
      expect(acc.record('LATENCY', 1, { operation: 'c' })).toBe(false);
      expect(acc.record('LATENCY', 2, { operation: 'a' })).toBe(true);
      expect(acc.drain().payloads.map((p) => [p.labels.operation, p.count])).toEqual([
        ['a', 2],
        ['b', 1],
      ]);
    });
  });

  describe('sketches merged across agents and buckets', () => {
    it('agree with one sketch of all samples, and with exact percentiles, within 1 %', () => {
      const all = latencies(20_000, 7);
      // 10 agents × 5 buckets, each agent flushing its own aggregate per bucket.
      const buckets = Array.from({ length: 5 }, () => emptyAggregate('LATENCY', {}));
      for (let agent = 0; agent < 10; agent++) {
        for (let b = 0; b < 5; b++) {
          const acc = new MetricAccumulator(10);
          for (let i = agent * 2000 + b * 400; i < agent * 2000 + (b + 1) * 400; i++) acc.record('LATENCY', all[i]!, {});
          for (const p of acc.drain().payloads) mergePayload(buckets[b]!, p);
        }
      }
      // Through storage and back, as the function does.
      const merged = emptyAggregate('LATENCY', {});
      for (const b of buckets) mergeAggregates(merged, fromStored(toStored(b)));
      const single = newSketch();
      for (const v of all) single.accept(v);

      expect(merged.count).toBe(20_000);
      for (const q of [0.5, 0.95, 0.99]) {
        const fromMerged = quantile(merged.sketch, q)!;
        expect(Math.abs(fromMerged - quantile(single, q)!) / quantile(single, q)!).toBeLessThanOrEqual(0.01);
        expect(Math.abs(fromMerged - exact(all, q)) / exact(all, q)).toBeLessThanOrEqual(0.01);
      }
    });
  });

  describe('window statistics', () => {
    it('are exact for count, mean, min, max and rate, and within 1 % for percentiles', () => {
      const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms
      const acc = new MetricAccumulator(10);
      for (const v of values) acc.record('LATENCY', v, {});
      const agg = emptyAggregate('LATENCY', {});
      for (const p of acc.drain().payloads) mergePayload(agg, p);
      const stats = statisticsOf([agg], windowMilliseconds('5m'));
      expect(stats).toMatchObject({ count: 1000, mean: 500.5, min: 1, max: 1000 });
      expect(stats.rate).toBeCloseTo(1000 / 300, 10);
      expect(Math.abs(stats.p95! - 950) / 950).toBeLessThanOrEqual(0.01);
      expect(Math.abs(stats.p99! - 990) / 990).toBeLessThanOrEqual(0.01);
      expect(Math.abs(stats.median! - 500) / 500).toBeLessThanOrEqual(0.01);
    });

    it('report no data as nulls, and the trend against the previous window', () => {
      const empty = statisticsOf([], 60_000);
      expect(empty).toEqual({ count: 0, mean: null, median: null, p95: null, p99: null, min: null, max: null, rate: 0 });
      const a = { ...empty, count: 10, mean: 110, p95: 200 };
      const b = { ...empty, count: 10, mean: 100, p95: 200 };
      expect(trendOf(a, b)).toEqual({ mean: 0.1, p95: 0, count: 0, direction: 'up' });
      expect(trendOf(b, b).direction).toBe('flat');
      expect(trendOf(a, empty).direction).toBe('unknown');
    });

    it('parse named and custom windows and refuse others', () => {
      expect(windowMilliseconds('5m')).toBe(300_000);
      expect(windowMilliseconds('24h')).toBe(86_400_000);
      expect(windowMilliseconds('7d')).toBe(604_800_000);
      expect(() => windowMilliseconds('soon')).toThrow('use e.g. 5m, 1h, 24h, 7d');
      const { current, previous } = windowsEndingAt(new Date('2026-11-26T12:00:00Z'), '1h');
      expect([current.start.toISOString(), previous.start.toISOString()]).toEqual(['2026-11-26T11:00:00.000Z', '2026-11-26T10:00:00.000Z']);
    });
  });
});
