import { DEFAULT_ALERT_RULES, parseAlertRules, type AlertRule } from '../../../shared/metrics/alert-rules';
import { emptyAggregate, mergePayload } from '../../../shared/metrics/bucket';
import { nextRuleState, type RuleState } from '../../../shared/metrics/evaluate-rules';
import { MetricAccumulator } from '../../../shared/metrics/metric-accumulator';
import { exportRequests, latencyBucketCounts, metricDescriptors, MONITORING_LIMITS, timeSeriesOf } from '../../../shared/metrics/monitoring-export';
import { performanceRecommendations } from '../../../shared/metrics/performance-recommendations';
import { statisticsOf } from '../../../shared/metrics/statistics';

const rule = (id: string) => DEFAULT_ALERT_RULES.find((r) => r.id === id) as AlertRule;

describe('performance alerting', () => {
  describe('default rules', () => {
    it("are the seed's thresholds", () => {
      expect(DEFAULT_ALERT_RULES.map((r) => `${r.id}:${r.statistic}:${r.comparator}:${r.limit}:${r.severity}`)).toEqual([
        'latency-mean:mean:above:200:WARNING',
        'latency-p95:p95:above:500:CRITICAL',
        'error-rate:mean:above:5:WARNING',
        'cpu:mean:above:80:WARNING',
        'memory:mean:above:85:WARNING',
        'cache-hit-rate:mean:below:60:WARNING',
      ]);
    });

    it('are validated, naming the bad field', () => {
      expect(() => parseAlertRules([{ ...rule('cpu'), limit: 'high' }])).toThrow(/0\.limit/);
      expect(() => parseAlertRules([{ ...rule('cpu'), window: 'soon' }])).toThrow(/0\.window/);
      expect(() => parseAlertRules([rule('cpu'), rule('cpu')])).toThrow(/duplicate rule id "cpu"/);
    });
  });

  describe('nextRuleState (hysteresis)', () => {
    function run(r: AlertRule, values: (number | null)[]): { raises: number; clears: number; states: RuleState[] } {
      let state: RuleState = 'ok';
      let raises = 0;
      let clears = 0;
      const states: RuleState[] = [];
      for (const v of values) {
        const next = nextRuleState(r, state, v);
        if (next.transition === 'raise') raises += 1;
        if (next.transition === 'clear') clears += 1;
        state = next.state;
        states.push(state);
      }
      return { raises, clears, states };
    }

    it('raises once on breach, stays breached near the limit, clears once on recovery', () => {
      // p95 limit 500, clears below 450.
      const result = run(rule('latency-p95'), [300, 520, 800, 480, 499, null, 460, 440, 430, 600]);
      expect(result.states).toEqual(['ok', 'breached', 'breached', 'breached', 'breached', 'breached', 'breached', 'ok', 'ok', 'breached']);
      expect(result).toMatchObject({ raises: 2, clears: 1 });
    });

    it('does not flap on a value hovering at the limit', () => {
      expect(run(rule('latency-p95'), [501, 499, 501, 499, 501, 499])).toMatchObject({ raises: 1, clears: 0 });
    });

    it('works downwards for a lower bound (cache hit rate)', () => {
      // below 60 → breached; clears above 60 / 0.9 ≈ 66.7
      expect(run(rule('cache-hit-rate'), [70, 55, 62, 65, 67, 58])).toMatchObject({ raises: 2, clears: 1 });
    });
  });

  describe('Cloud Monitoring export', () => {
    const aggregate = (metric: 'LATENCY' | 'API_CALLS' | 'CPU_USAGE', labels: Record<string, string>, values: number[]) => {
      const acc = new MetricAccumulator(10);
      for (const v of values) acc.record(metric, v, labels);
      const a = emptyAggregate(metric, labels);
      for (const p of acc.drain().payloads) mergePayload(a, p);
      return a;
    };

    it('writes latency as a distribution whose buckets hold every sample', () => {
      const a = aggregate('LATENCY', { operation: 'generate', tenant: 'x' }, [0, 0.5, 1.1, 3, 10, 200, 5000, 1e9]);
      const { series, droppedLabels } = timeSeriesOf('demo-p', { aggregate: a, bucketStart: 60_000, bucketEnd: 120_000 });
      expect(series).toMatchObject({ metricKind: 'CUMULATIVE', valueType: 'DISTRIBUTION', metric: { type: 'custom.googleapis.com/governor/latency', labels: { operation: 'generate' } }, resource: { type: 'global' } });
      expect(droppedLabels).toEqual(['tenant']);
      const point = series.points![0]!;
      expect(point.interval).toEqual({ startTime: { seconds: 60, nanos: 0 }, endTime: { seconds: 120, nanos: 0 } });
      const counts = latencyBucketCounts(a);
      expect(counts).toHaveLength(66);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(8);
      expect(counts[0]).toBe(2); // 0 and 0.5 ms underflow
      expect(counts[65]).toBe(1); // 1e9 ms overflows
      expect(point.value?.distributionValue?.count).toBe(8);
    });

    it('writes gauges with an end time only and counts as cumulative integers', () => {
      expect(timeSeriesOf('p', { aggregate: aggregate('CPU_USAGE', { agent: 'a' }, [10, 30]), bucketStart: 0, bucketEnd: 60_000 }).series).toMatchObject({
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        points: [{ interval: { endTime: { seconds: 60, nanos: 0 } }, value: { doubleValue: 20 } }],
      });
      expect(timeSeriesOf('p', { aggregate: aggregate('API_CALLS', {}, [1, 1, 1]), bucketStart: 0, bucketEnd: 60_000 }).series.points![0]!.value).toEqual({ int64Value: 3 });
    });

    it('keeps requests within 200 series and one point per series, earlier minutes first', () => {
      const items = [0, 60_000].flatMap((start) =>
        Array.from({ length: 250 }, (_, i) => ({ aggregate: aggregate('API_CALLS', { operation: `op${i}` }, [1]), bucketStart: start, bucketEnd: start + 60_000 })),
      );
      const requests = exportRequests('p', items);
      expect(requests.length).toBeGreaterThanOrEqual(3);
      for (const r of requests) {
        expect(r.length).toBeLessThanOrEqual(MONITORING_LIMITS.maxTimeSeriesPerRequest);
        const keys = r.map((s) => JSON.stringify(s.metric));
        expect(new Set(keys).size).toBe(keys.length);
      }
      const seenAt = new Map<string, number[]>();
      requests.forEach((r, i) => r.forEach((s) => seenAt.set(JSON.stringify(s.metric), [...(seenAt.get(JSON.stringify(s.metric)) ?? []), i])));
      for (const indexes of seenAt.values()) expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
      expect(requests.flat()).toHaveLength(500);
    });

    it('describes every metric type once', () => {
      expect(metricDescriptors('p').map((d) => d.type)).toHaveLength(9);
    });
  });

  describe('performanceRecommendations', () => {
    const stats = (mean: number, p95: number, count = 100) => ({ ...statisticsOf([], 60_000), count, mean, p95, median: mean, p99: p95, min: 0, max: p95 });

    it('names the operation breaking the p95 target, the cost of a low hit rate, and error bursts', () => {
      const recs = performanceRecommendations({
        rules: DEFAULT_ALERT_RULES,
        latencyByOperation: { generate: stats(300, 812), summarize: stats(90, 200) },
        cacheHitRate: stats(45, 100),
        errorMinutes: { generate: [{ at: 0, rate: 1, count: 100 }, { at: 60_000, rate: 30, count: 100 }, { at: 120_000, rate: 34, count: 100 }, { at: 180_000, rate: 1, count: 100 }] },
        errorRateOverall: stats(2, 30),
        resourceMeans: [{ metric: 'CPU_USAGE', group: 'agent-1 (host)', mean: 91 }],
        aiSpendMicros: 40_000_000,
      });
      expect(recs.map((r) => r.kind)).toEqual(['slow-operation', 'low-cache-hit-rate', 'error-burst', 'resource-pressure']);
      expect(recs[0]!.message).toContain('"generate" has p95 812 ms');
      const cache = recs[1] as { avoidableShare: number; estimatedSavingMicros: number };
      expect(cache.avoidableShare).toBeCloseTo(15 / 55);
      expect(cache.estimatedSavingMicros).toBe(Math.round(40_000_000 * (15 / 55)));
      expect(recs[2]).toMatchObject({ from: '1970-01-01T00:01:00.000Z', to: '1970-01-01T00:03:00.000Z', peak: 34 });
    });

    it('says so when all is well', () => {
      expect(performanceRecommendations({ rules: DEFAULT_ALERT_RULES, latencyByOperation: { a: stats(50, 100) }, cacheHitRate: stats(80, 100), errorMinutes: {}, errorRateOverall: stats(0, 0), resourceMeans: [], aiSpendMicros: null })).toEqual([
        expect.objectContaining({ kind: 'healthy' }),
      ]);
    });
  });
});
