import { newEventId } from '../../shared/contracts/event-id';
import { MetricAccumulator } from '../../shared/metrics/metric-accumulator';
import { MONITORING_LIMITS } from '../../shared/metrics/monitoring-export';
import { metricStatistics } from '../../shared/reports/metrics-query';
import { COLLECTIONS, CONFIG_DOCS } from '../../shared/basics/collections';
import { startMonitoringServer, type MonitoringServer } from '../support/monitoring-grpc-server';
import { probeAlerts } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const UNAVAILABLE = 14;

function event(metric: 'LATENCY' | 'API_CALLS' | 'CPU_USAGE', values: number[], labels: Record<string, string>, at: Date) {
  let now = at;
  const acc = new MetricAccumulator(10, () => now);
  for (const v of values) acc.record(metric, v, labels);
  now = new Date(at.getTime() + 10_000);
  return { eventId: newEventId(), schemaVersion: 1, type: 'metric', source: 'evaluator-test', occurredAt: now.toISOString(), payload: acc.drain().payloads[0]! };
}

describe('metric-evaluator (the minute tick)', () => {
  let stack: TestStack;
  let monitoring: MonitoringServer;

  beforeAll(async () => {
    monitoring = await startMonitoringServer();
    stack = await startTestStack({ functions: ['metric-aggregator', 'metric-evaluator'], functionEnv: { GOVERNOR_MONITORING_ENDPOINT: monitoring.endpoint } });
  });
  afterAll(async () => {
    await stack?.close();
    await monitoring?.stop();
  });

  const tick = () => stack.pubsub.topic(stack.topology.topics.metricTicks).publishMessage({ data: Buffer.from('{"tick":"test"}') });
  const ticksHandled = () => stack.logs.filter((l) => l.includes('"message":"metric tick"')).length;

  it('raises a performance alert for a breached default rule, once', async () => {
    const alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
    await stack.pubsub.topic(stack.topology.topics.metric).publishMessage({ json: event('LATENCY', Array(20).fill(900), { operation: 'slow-op' }, new Date(Date.now() - 20_000)) });
    await waitFor(async () => (await metricStatistics(stack.db, 'LATENCY', '5m', { operation: 'slow-op' })).count, (n) => n === 20, 20_000, 'the data');
    await tick();
    await tick();
    await waitFor(async () => ticksHandled(), (n) => n >= 2, 30_000, 'two ticks');
    const p95 = () => alerts.messages.filter((m) => m.ruleId === 'latency-p95');
    await waitFor(async () => p95().length, (n) => n >= 1, 10_000, 'the p95 alert');
    await new Promise((r) => setTimeout(r, 1000));
    expect(p95()).toHaveLength(1);
    expect(p95()[0]).toMatchObject({ status: 'RAISED', severity: 'CRITICAL', group: { operation: 'slow-op' } });
    expect(alerts.messages.filter((m) => m.ruleId === 'latency-mean')).toHaveLength(1);
    await alerts.close();
  });

  it('exports settled minutes to Cloud Monitoring within the API limits, resuming after failures', async () => {
    const topic = stack.pubsub.topic(stack.topology.topics.metric);
    // Earlier ticks exported up to ~90 s ago; this test writes minutes just before that, so it
    // starts the export over (a first run looks back ten minutes).
    await stack.db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.metricExportCursor).delete();
    // Fixed once: a minute boundary passing mid-test must not move the minutes the assertions name.
    const thisMinute = Math.floor(Date.now() / 60_000) * 60_000;
    const minuteAgo = (n: number) => new Date(thisMinute - n * 60_000 + 5_000);
    // 230 series in one minute (more than one request), and a second minute for one of them.
    for (let i = 0; i < 230; i++) await topic.publishMessage({ json: event('API_CALLS', [1, 1], { operation: `op-${i}` }, minuteAgo(4)) });
    await topic.publishMessage({ json: event('LATENCY', [12, 80, 250, 4000], { operation: 'op-0' }, minuteAgo(3)) });
    await topic.publishMessage({ json: event('CPU_USAGE', [20, 40], { agent: 'a1', scope: 'host' }, minuteAgo(3)) });
    await waitFor(async () => (await metricStatistics(stack.db, 'API_CALLS', '15m')).count, (n) => n >= 460, 30_000, 'the API_CALLS data');

    // The first tick's exports fail: nothing is lost, the cursor stays.
    monitoring.failNext(UNAVAILABLE, 1000);
    const before = ticksHandled();
    await tick();
    await waitFor(async () => ticksHandled(), (n) => n > before, 30_000, 'the failing tick');
    expect(monitoring.timeSeriesRequests).toHaveLength(0);
    expect(stack.logs.some((l) => l.includes('export to Cloud Monitoring failed'))).toBe(true);

    monitoring.failNext(0, 0);
    await tick();
    const exportedSeries = () => monitoring.timeSeriesRequests.flatMap((r) => r.timeSeries ?? []);
    await waitFor(
      async () => exportedSeries(),
      (all) => all.filter((s) => s.metric?.type?.endsWith('/api_calls')).length >= 230 && all.some((s) => s.metric?.type?.endsWith('/cpu_usage')),
      30_000,
      'the export of both minutes',
    );
    const requests = monitoring.timeSeriesRequests;
    for (const r of requests) {
      expect(r.name).toBe(`projects/${stack.projectId}`);
      expect(r.timeSeries!.length).toBeLessThanOrEqual(MONITORING_LIMITS.maxTimeSeriesPerRequest);
      const keys = r.timeSeries!.map((s) => JSON.stringify([s.metric?.type, s.metric?.labels]));
      expect(new Set(keys).size).toBe(keys.length);
      for (const s of r.timeSeries!) expect(s.points).toHaveLength(1);
    }
    const latency = requests.flatMap((r) => r.timeSeries ?? []).find((s) => s.metric?.type?.endsWith('/latency') && s.metric?.labels?.operation === 'op-0');
    expect(latency).toMatchObject({ metricKind: 'CUMULATIVE', valueType: 'DISTRIBUTION', resource: { type: 'global' } });
    const distribution = latency!.points![0]!.value!.distributionValue!;
    expect(Number(distribution.count)).toBe(4);
    expect((distribution.bucketCounts ?? []).reduce((a, b) => Number(a) + Number(b), 0)).toBe(4);
    const cpu = requests.flatMap((r) => r.timeSeries ?? []).find((s) => s.metric?.type?.endsWith('/cpu_usage'));
    expect(cpu).toMatchObject({ metricKind: 'GAUGE', valueType: 'DOUBLE', points: [{ value: { doubleValue: 30 } }] });
    // One descriptor per metric type (CACHE_SAVINGS is the ninth).
    expect(monitoring.descriptorRequests.length).toBe(9);

    // Exported minutes are not written again.
    const exported = monitoring.timeSeriesRequests.length;
    const cursor = (await stack.db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.metricExportCursor).get()).get('exportedThrough') as number;
    expect(cursor).toBeGreaterThan(minuteAgo(3).getTime());
    const handled = ticksHandled();
    await tick();
    await waitFor(async () => ticksHandled(), (n) => n > handled, 30_000, 'another tick');
    const again = monitoring.timeSeriesRequests.slice(exported).flatMap((r) => r.timeSeries ?? []);
    expect(again.filter((s) => Number(s.points![0]!.interval!.endTime!.seconds) * 1000 <= cursor - 60_000)).toEqual([]);
  });
});
