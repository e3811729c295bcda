import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { budgetEnforcement } from '../common/budget/budget-enforcement';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { decodeTick } from '../common/schedule-tick';

/**
 * Runs once a minute (Cloud Scheduler → governor-budget-ticks; locally the stack's scheduler):
 * evaluates every budget of the current period from a fresh read of the config and the totals,
 * sets the flags and raises the due alerts, and publishes budget alerts a crash left unpublished.
 * The backstop of the spend path's own evaluations: it needs no warm instance, no CPU after a
 * response and no further event, so a crossing is acted on within a minute whatever happened.
 */
export function createBudgetEvaluator(): HttpFunction {
  const log = createLogger({ component: 'budget-evaluator' });
  const budgets = budgetEnforcement(log);

  return pubsubConsumer({
    target: 'budgetEvaluator',
    decode: decodeTick,
    async handle() {
      await budgets.enforceCurrent();
      log.debug('budget tick');
    },
  });
}
