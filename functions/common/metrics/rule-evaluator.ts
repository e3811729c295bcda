import type { Firestore } from '@google-cloud/firestore';
import type { PerformanceAlert } from '../../../shared/contracts/performance-alert';
import type { MetricType } from '../../../shared/contracts/vocabulary';
import type { Logger } from '../../../shared/logging/logger';
import type { AlertRule } from '../../../shared/metrics/alert-rules';
import { nextRuleState } from '../../../shared/metrics/evaluate-rules';
import { groupAggregates } from '../../../shared/metrics/group-aggregates';
import { statisticsOf } from '../../../shared/metrics/statistics';
import { windowMilliseconds } from '../../../shared/metrics/windows';
import { applyRuleValue, groupIdOf, markPerformanceAlertPublished, ruleStates, unpublishedPerformanceAlerts } from '../../../shared/store/metric-alerts-store';
import { readAggregates, resolutionFor } from '../../../shared/store/metric-buckets';

export interface RuleEvaluatorDeps {
  db: Firestore;
  rules: () => Promise<AlertRule[]>;
  publish: (alert: PerformanceAlert) => Promise<string>;
  now: () => Date;
  log: Logger;
}

/**
 * Evaluates performance rules over their windows, per label group, and makes each raise and
 * clear exactly once (a transaction per transition), then publishes it. Groups already breached
 * are evaluated even without data in the window, so they clear once data says they recovered.
 */
export class RuleEvaluator {
  constructor(private readonly deps: RuleEvaluatorDeps) {}

  /** Evaluates the rules of the given metrics (all when omitted); returns the alerts published. */
  async evaluate(metrics?: ReadonlySet<MetricType>): Promise<PerformanceAlert[]> {
    const { db, log } = this.deps;
    const now = this.deps.now();
    const rules = (await this.deps.rules()).filter((r) => !metrics || metrics.has(r.metric));
    const published: PerformanceAlert[] = [];
    // Rules on the same metric and window (latency mean and p95, by default) share one read.
    const reads = new Map<string, ReturnType<typeof readAggregates>>();
    const aggregatesOf = (metric: MetricType, window: number) => {
      const key = `${metric}|${window}`;
      if (!reads.has(key)) reads.set(key, readAggregates(db, metric, new Date(now.getTime() - window), now, resolutionFor(window)));
      return reads.get(key)!;
    };
    await Promise.all(
      rules.map(async (rule) => {
        const window = windowMilliseconds(rule.window);
        const [aggregates, states] = await Promise.all([aggregatesOf(rule.metric, window), ruleStates(db, rule.id)]);
        for (const { group, aggregates: groupAggs } of groupAggregates(aggregates, rule.groupBy)) {
          const stats = statisticsOf(groupAggs, window);
          const value = stats.count >= rule.minCount ? stats[rule.statistic] : null;
          const current = states.get(groupIdOf(rule, group))?.state ?? 'ok';
          // Only a predicted transition costs a transaction.
          if (!nextRuleState(rule, current, value).transition) continue;
          const alert = await applyRuleValue(db, rule, group, value, now);
          if (!alert) continue;
          await this.publish(alert);
          published.push(alert);
          log.info({ alertId: alert.alertId, status: alert.status, ruleId: rule.id, group, value }, `performance alert ${alert.status.toLowerCase()}`);
        }
      }),
    );
    return published;
  }

  /** Publishes alerts a crash left unpublished. */
  async drainOutbox(): Promise<number> {
    const pending = await unpublishedPerformanceAlerts(this.deps.db, this.deps.now());
    for (const alert of pending) await this.publish(alert);
    return pending.length;
  }

  private async publish(alert: PerformanceAlert): Promise<void> {
    const messageId = await this.deps.publish(alert);
    await markPerformanceAlertPublished(this.deps.db, alert, messageId);
  }
}
