import type { AlertRule } from '../../../shared/metrics/alert-rules';
import type { Logger } from '../../../shared/logging/logger';
import { loadAlertRules } from '../../../shared/store/metric-rules-store';
import { loadTopology } from '../../../shared/topology/topology';
import { firestore, pubsub } from '../clients';
import { configCacheMilliseconds } from '../config-cache-ttl';
import { RuleEvaluator } from './rule-evaluator';


/** The rule evaluator as the metric functions use it: rules cached, alerts published to the topic. */
export function metricAlerting(log: Logger): RuleEvaluator {
  const alertsTopic = loadTopology().topics.alerts;
  const cacheMilliseconds = configCacheMilliseconds();
  let cached: { rules: AlertRule[]; at: number } | undefined;
  let lastRejection: string | undefined;
  return new RuleEvaluator({
    db: firestore(),
    async rules() {
      if (cached && Date.now() - cached.at < cacheMilliseconds) return cached.rules;
      const loaded = await loadAlertRules(firestore());
      if (loaded.rejected && loaded.rejected !== lastRejection) {
        log.error({ reason: loaded.rejected, using: loaded.origin }, 'stored metric alert rules are invalid; the last good rules stay in force');
      }
      lastRejection = loaded.rejected;
      cached = { rules: loaded.config, at: Date.now() };
      return loaded.config;
    },
    publish: (alert) =>
      pubsub().topic(alertsTopic).publishMessage({
        json: alert,
        attributes: { alertId: alert.alertId, kind: alert.kind, status: alert.status, severity: alert.severity },
      }),
    now: () => new Date(),
    log,
  });
}
