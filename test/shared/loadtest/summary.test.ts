import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import { resultOf } from '../../../shared/loadtest/load-test-result';
import { Recording } from '../../../shared/loadtest/recording';

describe('summary and recommendations', () => {
  const plan = resolveLoadPlan('x', { stages: '10:10s,20:10s' });
  const rec = new Recording(2, 1000, Date.parse('2026-12-01T00:00:00Z'));
  for (let i = 0; i < 100; i++) rec.record({ stage: 0, endOffsetMilliseconds: i * 100, latencyMilliseconds: 10 + (i % 10), status: 200 });
  for (let i = 0; i < 200; i++) {
    const failed = i % 10 === 0;
    rec.record({ stage: 1, endOffsetMilliseconds: 10_000 + i * 50, latencyMilliseconds: 40 + (i % 10), status: failed ? 503 : 200, error: failed ? 'status 503' : undefined });
  }
  rec.lastEndOffsetMilliseconds = 20_000;
  const result = resultOf('run1', plan, 'GET http://127.0.0.1/', rec, undefined);
  const s = result.summary;

  it('reports totals, rates, latency and the rate over the run', () => {
    expect(s.totals).toEqual({ requests: 300, succeeded: 280, failed: 20, unsent: 0, successRate: 0.93333, errorRate: 0.06667 });
    expect(s.rps).toBe(15);
    expect(s.plannedRps).toBe(15);
    expect(s.latencyMilliseconds.min).toBe(10);
    expect(s.latencyMilliseconds.max).toBe(49);
    expect(s.errors).toEqual([{ error: 'status 503', count: 20, share: 1 }]);
    expect(s.statuses).toEqual({ '200': 280, '503': 20 });
    expect(s.timeline).toHaveLength(20);
  });

  it('shows degradation per stage against the first', () => {
    expect(s.stages.map((st) => st.plannedRps)).toEqual([10, 20]);
    expect(s.stages[0]).toMatchObject({ p95Ratio: 1, errorRateChange: 0 });
    expect(s.stages[1]!.p95Ratio).toBeGreaterThan(2.5);
    expect(s.stages[1]!.errorRateChange).toBeCloseTo(0.1);
  });

  it('fails the default error threshold and says where capacity ends and what failed', () => {
    expect(result.passed).toBe(false);
    expect(result.thresholds.find((t) => t.metric === 'error_rate')).toMatchObject({ ok: false });
    expect(result.recommendations.join('\n')).toMatch(/stage 2 \(20 req\/s\): capacity ends between 10 req\/s and 20 req\/s/);
    expect(result.recommendations.join('\n')).toMatch(/errors rose by 10.0 points at stage 2/);
    expect(result.recommendations.join('\n')).toMatch(/"status 503" .*server errors/);
  });
});
