import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import { Recording } from '../../../shared/loadtest/recording';
import { summarize } from '../../../shared/loadtest/summary';
import { defaultThresholds, evaluateThresholds, parseThreshold } from '../../../shared/loadtest/thresholds';

describe('parseThreshold', () => {
  it('reads k6-style expressions with units', () => {
    expect(parseThreshold('p95<500')).toEqual({ expression: 'p95<500', metric: 'p95', comparator: '<', limit: 500 });
    expect(parseThreshold('p(99.9) <= 2s')).toMatchObject({ metric: 'p99.9', comparator: '<=', limit: 2000 });
    expect(parseThreshold('error_rate<1%')).toMatchObject({ metric: 'error_rate', limit: 0.01 });
    expect(parseThreshold('rps>45')).toMatchObject({ metric: 'rps', comparator: '>', limit: 45 });
    expect(parseThreshold('med<100ms')).toMatchObject({ metric: 'p50', limit: 100 });
  });

  it('refuses what it cannot judge, naming the expression', () => {
    expect(() => parseThreshold('p95 is fast')).toThrow(/"p95 is fast" is not <metric><op><value>/);
    expect(() => parseThreshold('p95<5%')).toThrow(/latency takes ms or s/);
    expect(() => parseThreshold('error_rate<150%')).toThrow(/at most 100 %/);
    expect(() => parseThreshold('p100<5')).toThrow(/between 0 and 100/);
    expect(() => parseThreshold('rps>4ms')).toThrow(/plain number/);
  });
});

describe('evaluateThresholds', () => {
  const plan = resolveLoadPlan('x', { stages: '10:10s' });
  const rec = new Recording(1, 1000, 0);
  for (let i = 0; i < 100; i++) rec.record({ stage: 0, endOffsetMilliseconds: i * 100, latencyMilliseconds: i + 1, error: i < 3 ? 'timeout' : undefined });
  rec.lastEndOffsetMilliseconds = 10_000;
  const summary = summarize(plan, 't', rec);

  it('passes and fails each threshold on the run’s numbers', () => {
    const results = evaluateThresholds(summary, rec, ['p95<200', 'p50<10', 'error_rate<1%', 'error_rate<5%', 'rps>=10', 'p(99.9)<1000', 'requests==100'].map(parseThreshold));
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true, true, true, true]);
    expect(results[2]!.actual).toBeCloseTo(0.03);
  });

  it('fails a threshold that has no value because nothing ran', () => {
    const empty = new Recording(1, 1000, 0);
    expect(evaluateThresholds(summarize(plan, 't', empty), empty, [parseThreshold('p95<500')])[0]).toMatchObject({ actual: null, ok: false });
  });

  it('defaults to p95 < 500 ms, errors < 1 % and, open model, 90 % of the planned rate', () => {
    expect(defaultThresholds(50).map((t) => t.expression)).toEqual(['p95<500', 'error_rate<1%', 'rps>=45']);
    expect(defaultThresholds(null)).toHaveLength(2);
  });
});
