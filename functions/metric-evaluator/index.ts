import type { HttpFunction } from '@google-cloud/functions-framework';
import { EventDecodeError } from '../../shared/contracts/event';
import { createLogger } from '../../shared/logging/logger';
import { budgetEnforcement } from '../common/budget/budget-enforcement';
import { firestore } from '../common/clients';
import { metricAlerting } from '../common/metrics/metric-alerting';
import type { PushedMessage } from '../common/pubsub-push';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { projectId, settings } from '../common/settings';
import { monitoringClient, MonitoringExporter } from './monitoring-exporter';
import { MAX_TICK_BYTES } from '../../shared/topology/schedules';

/** A tick's body does not matter (Cloud Scheduler sends what it is configured with); its size does. */
function decodeTick(message: PushedMessage): { receivedAt: Date } {
  if (message.data.length > MAX_TICK_BYTES) throw new EventDecodeError('oversize', `a tick is at most ${MAX_TICK_BYTES} bytes, got ${message.data.length}`);
  return { receivedAt: new Date() };
}

/**
 * Runs once a minute (Cloud Scheduler → governor-metric-ticks; locally the stack's scheduler):
 * evaluates every performance rule (the backstop for evaluations after writes), publishes alerts
 * (performance and budget) a crash left unpublished, and exports settled minutes to Cloud Monitoring.
 */
export function createMetricEvaluator(): HttpFunction {
  const log = createLogger({ component: 'metric-evaluator' });
  const alerting = metricAlerting(log);
  const budgets = budgetEnforcement(log);
  const monitoring = settings().monitoring;

  let exporter: MonitoringExporter | undefined;
  const monitoringExporter = (): MonitoringExporter => {
    exporter ??= new MonitoringExporter({ db: firestore(), client: monitoringClient(projectId(), monitoring.endpoint), projectId: projectId(), log, now: () => new Date() });
    return exporter;
  };

  return pubsubConsumer({
    target: 'metricEvaluator',
    decode: decodeTick,
    async handle() {
      const alerts = await alerting.evaluate();
      // Alerts whose publication a crash interrupted, performance and budget alike.
      const recovered = (await alerting.drainOutbox()) + (await budgets.enforcer.sweepOutbox(true));
      const exported = monitoring.exportEnabled ? await monitoringExporter().exportSettled() : undefined;
      log.info({ alerts: alerts.length, recoveredFromOutbox: recovered, exported }, 'metric tick');
    },
  });
}
