import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { firestore } from '../common/clients';
import { metricAlerting } from '../common/metrics/metric-alerting';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { projectId, settings } from '../common/settings';
import { monitoringClient, MonitoringExporter } from './monitoring-exporter';
import { decodeTick } from '../common/schedule-tick';

/**
 * Runs once a minute (Cloud Scheduler → governor-metric-ticks; locally the stack's scheduler):
 * evaluates every performance rule (the backstop for evaluations after writes), publishes
 * performance alerts a crash left unpublished, and exports settled minutes to Cloud Monitoring.
 * (Budgets have their own tick: budget-evaluator.)
 */
export function createMetricEvaluator(): HttpFunction {
  const log = createLogger({ component: 'metric-evaluator' });
  const alerting = metricAlerting(log);
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
      // Alerts whose publication a crash interrupted.
      const recovered = await alerting.drainOutbox();
      const exported = monitoring.exportEnabled ? await monitoringExporter().exportSettled() : undefined;
      log.info({ alerts: alerts.length, recoveredFromOutbox: recovered, exported }, 'metric tick');
    },
  });
}
