import type { Logger } from '../../../shared/logging/logger';
import { loadAlertRules } from '../../../shared/store/metric-rules-store';
import { loadTopology } from '../../../shared/topology/topology';
import { firestore, pubsub } from '../clients';
import { cachedConfig } from '../cached-config';
import { RuleEvaluator } from './rule-evaluator';

/** The rule evaluator as the metric functions use it: rules cached, alerts published to the topic. */
export function metricAlerting(log: Logger): RuleEvaluator {
  const alertsTopic = loadTopology().topics.alerts;
  // New rules (a lower threshold, a new metric) are evaluated at once against the data already
  // written, not first by the next write or the minute tick.
  const rules = cachedConfig(() => loadAlertRules(firestore()), log, 'metric alert rules', { onChange: async () => void (await evaluator.evaluate()) });
  const evaluator: RuleEvaluator = new RuleEvaluator({
    db: firestore(),
    rules: async () => (await rules()).config,
    publish: (alert) =>
      pubsub().topic(alertsTopic).publishMessage({
        json: alert,
        attributes: { alertId: alert.alertId, kind: alert.kind, status: alert.status, severity: alert.severity },
      }),
    now: () => new Date(),
    log,
  });
  return evaluator;
}
