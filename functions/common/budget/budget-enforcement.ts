import { TOTAL, type BudgetConfig, type BudgetKey } from '../../../shared/budget/budget-config';
import type { CostCategory } from '../../../shared/contracts/vocabulary';
import type { Logger } from '../../../shared/logging/logger';
import { loadBudgetConfig } from '../../../shared/store/budget-config-store';
import { loadTopology } from '../../../shared/topology/topology';
import { firestore, pubsub } from '../clients';
import { Coalescer } from '../coalescer';
import type { ThroughputStats } from '../throughput-stats';
import { cachedConfig } from '../cached-config';
import { budgetAlertPublisher, BudgetEnforcer } from './budget-enforcer';

export interface BudgetEnforcement {
  /** Enforces the budgets of a category (and the total) in a period; resolves once done. */
  enforce: (periodId: string, category: CostCategory) => Promise<void>;
  /** The budget config in force (cached per instance). */
  config: () => Promise<BudgetConfig>;
  /** The enforcer, for the outbox sweep of the minute tick. */
  enforcer: BudgetEnforcer;
}

/**
 * The budget rules as a function needs them: evaluations coalesced across concurrent requests,
 * so every commit is followed by one evaluation that covers it before the message is acked.
 */
export function budgetEnforcement(log: Logger, stats?: ThroughputStats): BudgetEnforcement {
  const alertsTopic = loadTopology().topics.alerts;
  const config = cachedConfig(() => loadBudgetConfig(firestore()), log, 'budget config');
  const enforcer = new BudgetEnforcer({
    db: firestore(),
    config,
    invalidateConfig: () => config.invalidate(),
    publishAlert: budgetAlertPublisher(pubsub(), alertsTopic),
    now: () => new Date(),
    log,
  });
  const evaluations = new Coalescer<string>(async (keys) => {
    const byPeriod = new Map<string, Set<BudgetKey>>();
    for (const key of keys) {
      const [periodId, budgetKey] = key.split('|') as [string, BudgetKey];
      byPeriod.set(periodId, (byPeriod.get(periodId) ?? new Set<BudgetKey>()).add(budgetKey));
    }
    const run = () => Promise.all([...byPeriod].map(([periodId, budgetKeys]) => enforcer.enforce(periodId, [...budgetKeys])));
    await (stats ? stats.time('evaluation', keys.size, run) : run());
  });
  return {
    enforce: (periodId, category) => evaluations.request([`${periodId}|${category}`, `${periodId}|${TOTAL}`]),
    config: async () => (await config()).config,
    enforcer,
  };
}
