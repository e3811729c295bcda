import { seriesOf, targetsOf } from '../../../functions/dashboard/performance-view';
import { DEFAULT_ALERT_RULES } from '../../../shared/metrics/alert-rules';
import { emptyAggregate } from '../../../shared/metrics/bucket';
import type { BucketAggregate } from '../../../shared/store/metric-buckets';

/** A shard of a minute bucket holding `values`. */
function shard(bucketStart: number, values: number[], labels: Record<string, string> = {}): BucketAggregate {
  const a = emptyAggregate('LATENCY', labels);
  for (const v of values) {
    a.sketch.accept(v);
    a.count += 1;
    a.sum += v;
    a.min = Math.min(a.min, v);
    a.max = Math.max(a.max, v);
  }
  return { ...a, bucketStart };
}

describe('performance view', () => {
  describe('seriesOf', () => {
    const t0 = Date.UTC(2026, 11, 3, 6, 0);

    it('merges the shards and series of a bucket into one point, and gives every bucket of the window a point', () => {
      const points = seriesOf([shard(t0, [10, 20]), shard(t0, [30], { operation: 'x' }), shard(t0 + 120_000, [100])], new Date(t0 + 5_000), new Date(t0 + 180_000), 60_000);
      expect(points.map((p) => p.at)).toEqual([t0, t0 + 60_000, t0 + 120_000]);
      expect(points[0]).toMatchObject({ count: 3, mean: 20 });
      expect(points[0]!.p50).toBeCloseTo(20, -0.5);
      expect(points[1]).toEqual({ at: t0 + 60_000, count: 0, mean: null, p50: null, p95: null, p99: null });
      expect(points[2]).toMatchObject({ count: 1, mean: 100 });
    });
  });

  describe('targetsOf', () => {
    it('turns the alert rules of a metric into chart targets', () => {
      expect(targetsOf(DEFAULT_ALERT_RULES, 'LATENCY')).toEqual([
        { ruleId: 'latency-mean', statistic: 'mean', comparator: 'above', limit: 200, severity: 'WARNING' },
        { ruleId: 'latency-p95', statistic: 'p95', comparator: 'above', limit: 500, severity: 'CRITICAL' },
      ]);
      expect(targetsOf(DEFAULT_ALERT_RULES, 'CACHE_HIT_RATE')).toEqual([{ ruleId: 'cache-hit-rate', statistic: 'mean', comparator: 'below', limit: 60, severity: 'WARNING' }]);
    });
  });
});
