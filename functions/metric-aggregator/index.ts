import type { HttpFunction } from '@google-cloud/functions-framework';
import type { MetricEvent } from '../../shared/contracts/metric-event';
import type { MetricType } from '../../shared/contracts/vocabulary';
import { createLogger } from '../../shared/logging/logger';
import { commitMetrics, METRIC_STORE_DEFAULTS, type MetricCommitResult } from '../../shared/store/metric-buckets';
import { firestore } from '../common/clients';
import { maybeInjectFault } from '../common/fault-injection';
import { GroupCommitter } from '../common/group-commit';
import { metricAlerting } from '../common/metrics/metric-alerting';
import { ThrottledRunner } from '../common/metrics/throttled-runner';
import { governorEvents, pubsubConsumer } from '../common/pubsub-consumer';
import { settings } from '../common/settings';
import { ThroughputStats } from '../common/throughput-stats';

/** Rules of freshly written metrics are evaluated at most this often per instance. */
export const EVALUATION_INTERVAL_MILLISECONDS = 5_000;

/** Consumes metric aggregates: merges each into its minute and hour buckets exactly once. */
export function createMetricAggregator(): HttpFunction {
  const { faultRate: rate, statsIntervalMilliseconds } = settings();
  const log = createLogger({ component: 'metric-aggregator' });
  const stats = new ThroughputStats(log, statsIntervalMilliseconds);
  const decodeMetricEvent = governorEvents('metric');
  const alerting = metricAlerting(log);

  const committer = new GroupCommitter<MetricEvent, MetricCommitResult>(
    (events) => stats.time('commit', events.length, () => commitMetrics(firestore(), events)),
    // One at a time: concurrent transactions over the same bucket documents deadlock until one
    // times out; requests arriving meanwhile share the next commit instead.
    { maxItems: METRIC_STORE_DEFAULTS.maxEventsPerCommit, maxConcurrent: 1 },
  );

  /**
   * Rules are evaluated right after data lands (a breach shows within agent flush + 5 s), but off
   * the ack path: alerting must not slow or fail the aggregation. The minute tick of
   * metric-evaluator is the backstop for anything missed here.
   */
  const evaluations = new ThrottledRunner<MetricType>(
    async (metrics) => {
      await stats.time('evaluation', metrics.size, () => alerting.evaluate(metrics));
    },
    EVALUATION_INTERVAL_MILLISECONDS,
    (error) => log.error({ err: error }, 'rule evaluation failed; the minute tick will retry'),
  );

  return pubsubConsumer({
    target: 'metricAggregator',
    decode: decodeMetricEvent,
    async handle(event, message) {
      maybeInjectFault('before-commit', rate);
      const result = await committer.submit(event);
      const duplicate = result.duplicates.includes(event.eventId);
      log.debug({ eventId: event.eventId, messageId: message.messageId, metric: event.payload.metric, samples: event.payload.count, duplicate }, duplicate ? 'duplicate metric event ignored' : 'metric event merged');
      evaluations.request([event.payload.metric]);
      maybeInjectFault('after-commit', rate);
    },
  });
}
