import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { RuleEvaluator } from '../../functions/common/metrics/rule-evaluator';
import { newEventId } from '../../shared/contracts/event-id';
import { createLogger } from '../../shared/logging/logger';
import { parseAlertRules } from '../../shared/metrics/alert-rules';
import { MetricAccumulator } from '../../shared/metrics/metric-accumulator';
import { metricStatistics } from '../../shared/reports/metrics-query';
import { probeAlerts } from '../support/spend-helpers';
import { governorCli } from '../support/governor-cli';
import { stackWithPublisher } from '../support/stack-with-publisher';
import { waitFor } from '../support/test-stack';

const metricEvent = (payload: Record<string, unknown>) => ({ eventId: newEventId(), schemaVersion: 1, type: 'metric', source: 'raw-agent', occurredAt: new Date().toISOString(), payload });

/** One agent interval aggregate of the given samples, starting at `at`. */
function aggregateOf(values: number[], labels: Record<string, string>, at: Date) {
  let now = at;
  const acc = new MetricAccumulator(10, () => now);
  for (const v of values) acc.record('LATENCY', v, labels);
  now = new Date(at.getTime() + 10_000);
  return acc.drain().payloads[0]!;
}

describe('metric-aggregator on the local stack', () => {
  const local = stackWithPublisher({ functions: ['metric-aggregator'], functionEnv: { LOG_LEVEL: 'debug' } }, 'metrics-agent');

  it('turns a thousand timed calls into one event, and the CLI shows their p95', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => 100 + (i % 100) * 5); // 100..595 ms
    for (const v of values) local.publisher.recordMetric({ metric: 'LATENCY', value: v, labels: { operation: 'generate' } });
    const stats = await local.publisher.flush();
    expect(stats.published).toBe(1);
    await waitFor(() => metricStatistics(local.stack.db, 'LATENCY', '5m', { operation: 'generate' }), (s) => s.count === 1000, 20_000, 'the merged samples');

    const cli = await governorCli(() => local.stack.clientEnv)('metrics', 'stats', 'latency', '--window', '5m', '--label', 'operation=generate', '--json');
    expect(cli.status).toBe(0);
    const shown = JSON.parse(cli.stdout) as { count: number; p95: number; mean: number; min: number; max: number };
    const exactP95 = [...values].sort((a, b) => a - b)[949]!;
    expect(shown).toMatchObject({ count: 1000, min: 100, max: 595 });
    expect(shown.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 1000, 6);
    expect(Math.abs(shown.p95 - exactP95) / exactP95).toBeLessThanOrEqual(0.01);
  });

  it('merges an event delivered three times once', async () => {
    const event = metricEvent(aggregateOf([10, 20, 30], { operation: 'redelivered' }, new Date()));
    for (let i = 0; i < 3; i++) await local.stack.pubsub.topic(local.stack.topology.topics.metric).publishMessage({ json: event });
    await waitFor(async () => local.stack.logs.filter((l) => l.includes(event.eventId)).length, (n) => n >= 3, 20_000, 'three deliveries');
    const stats = await metricStatistics(local.stack.db, 'LATENCY', '5m', { operation: 'redelivered' });
    expect(stats).toMatchObject({ count: 3, min: 10, max: 30, mean: 20 });
    expect(local.stack.logs.filter((l) => l.includes(event.eventId) && l.includes('"duplicate":true'))).toHaveLength(2);
  });

  it('dead-letters bad metric events with their reasons', async () => {
    const deadLetters = local.stack.collectDeadLetters(local.stack.topology.functions.find((f) => f.name === 'metric-aggregator')!.subscription.deadLetterTopic);
    const good = aggregateOf([5], {}, new Date());
    const bad = [
      metricEvent({ ...good, metric: 'CPU_USAGE', min: 50, max: 150, sum: 100, count: 1 }),
      metricEvent({ ...good, min: 9, max: 1 }),
      metricEvent({ ...good, metric: 'HAPPINESS' }),
      metricEvent({ ...good, sketch: '***not base64***' }),
      metricEvent({ ...good, labels: { 'Bad Key': 'x' } }),
    ];
    for (const e of bad) await local.stack.pubsub.topic(local.stack.topology.topics.metric).publishMessage({ json: e });
    await local.stack.pubsub.topic(local.stack.topology.topics.metric).publishMessage({ data: Buffer.from('{"count": NaN}') });
    await waitFor(async () => deadLetters.messages.length, (n) => n >= 6, 20_000, 'six dead letters');
    await deadLetters.close();
    expect(deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.failure]).sort()).toEqual(['not-json', 'schema', 'schema', 'schema', 'schema', 'schema']);
    const reasons = deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.reason]).join('\n');
    expect(reasons).toContain('CPU_USAGE is a percentage');
    expect(reasons).toContain('min is greater than max');
    expect(reasons).toContain('payload.metric');
    expect(reasons).toContain('payload.sketch');
  });

  it('raises a breach once and clears it once, with hysteresis, on the stored buckets', async () => {
    const t0 = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
    const topic = local.stack.pubsub.topic(local.stack.topology.topics.metric);
    await topic.publishMessage({ json: metricEvent(aggregateOf(Array(50).fill(800), { operation: 'hyst' }, new Date(t0))) });
    await topic.publishMessage({ json: metricEvent(aggregateOf(Array(50).fill(480), { operation: 'hyst' }, new Date(t0 + 2 * 60_000))) });
    await topic.publishMessage({ json: metricEvent(aggregateOf(Array(50).fill(100), { operation: 'hyst' }, new Date(t0 + 6 * 60_000))) });
    await waitFor(async () => (await metricStatistics(local.stack.db, 'LATENCY', '1h', { operation: 'hyst' })).count, (n) => n === 150, 20_000, 'the three intervals');

    const alerts = await probeAlerts(local.stack.pubsub, local.stack.topology.topics.alerts);
    let now = new Date(t0);
    const evaluator = new RuleEvaluator({
      db: local.stack.db,
      rules: async () => parseAlertRules([{ id: 'p95-hyst', metric: 'LATENCY', statistic: 'p95', comparator: 'above', limit: 500, severity: 'CRITICAL', window: '1m', groupBy: ['operation'] }]),
      publish: (alert) => local.stack.pubsub.topic(local.stack.topology.topics.alerts).publishMessage({ json: alert }),
      now: () => now,
      log: createLogger({ component: 'test', level: 'silent' }),
    });
    const at = async (minutes: number) => {
      now = new Date(t0 + minutes * 60_000 + 1000);
      const first = await evaluator.evaluate();
      const again = await evaluator.evaluate();
      return [...first, ...again].map((a) => a.status);
    };
    expect(await at(1)).toEqual(['RAISED']); // 800 ms > 500
    expect(await at(2)).toEqual([]); // 480 ms: under the limit, above the 450 ms clear point: still breached
    expect(await at(4)).toEqual([]); // no data in the window: the state is kept
    expect(await at(6)).toEqual(['CLEARED']); // 100 ms
    const ours = () => alerts.messages.filter((m) => m.ruleId === 'p95-hyst');
    await waitFor(async () => ours().length, (n) => n >= 2, 10_000, 'two alert messages');
    await new Promise((r) => setTimeout(r, 500));
    expect(ours().map((m) => m.status)).toEqual(['RAISED', 'CLEARED']);
    expect(new Set(ours().map((m) => m.alertId)).size).toBe(1);
    expect(ours()[0]).toMatchObject({ kind: 'performance', ruleId: 'p95-hyst', group: { operation: 'hyst' }, limit: 500, clearAt: 450 });
    await alerts.close();
  });
});
