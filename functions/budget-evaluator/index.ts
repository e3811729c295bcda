import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { budgetEnforcement } from '../common/budget/budget-enforcement';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { decodeTick } from '../common/schedule-tick';
import { firestore, pubsub } from '../common/clients';
import { runawayAlertPublisher } from '../common/runaway/breaker-check';
import { runBreakerTick } from '../common/runaway/breaker-tick';
import { loadBreakerConfig } from '../../shared/store/breaker-config-store';
import { loadTopology } from '../../shared/topology/topology';

/**
 * Runs once a minute (Cloud Scheduler → governor-budget-ticks; locally the stack's scheduler):
 * evaluates every budget of the current period from a fresh read of the config and the totals,
 * sets the flags and raises the due alerts, and publishes budget alerts a crash left unpublished;
 * and runs the burn-rate breakers' minute tick (cool-downs, peers' baselines, fleet-wide check).
 * The backstop of the spend path's own evaluations: it needs no warm instance, no CPU after a
 * response and no further event, so a crossing is acted on within a minute whatever happened.
 */
export function createBudgetEvaluator(): HttpFunction {
  const log = createLogger({ component: 'budget-evaluator' });
  const budgets = budgetEnforcement(log);
  const breakerTick = () =>
    runBreakerTick({
      db: firestore(),
      // Read fresh once a tick (no cache: nothing between ticks needs the rules here).
      config: async () => {
        const loaded = await loadBreakerConfig(firestore());
        if (loaded.rejected) log.error({ rejected: loaded.rejected, origin: loaded.origin }, 'stored breaker rules are invalid; the last good ones stay in force');
        return loaded.config;
      },
      publishAlert: runawayAlertPublisher(pubsub(), loadTopology().topics.alerts),
      log,
      now: () => Date.now(),
    });

  return pubsubConsumer({
    target: 'budgetEvaluator',
    decode: decodeTick,
    async handle() {
      // Burn-rate breakers too: cool-downs end, the peers' baselines move on, a split runaway is caught.
      const [, breakers] = await Promise.all([budgets.enforceCurrent(), breakerTick()]);
      log.debug({ breakers }, 'budget tick');
    },
  });
}
