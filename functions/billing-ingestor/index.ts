import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { recordBillingCost } from '../../shared/store/billing-spend';
import { budgetEnforcement } from '../common/budget/budget-enforcement';
import { firestore } from '../common/clients';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { decodeBillingNotification } from './decode-billing-notification';

/**
 * Consumes Cloud Billing budget notifications (optional): counts the increase of each budget's
 * cumulative cost as spend in the configured category, so GCP's re-sends never double count.
 */
export function createBillingIngestor(): HttpFunction {
  const log = createLogger({ component: 'billing-ingestor' });
  const budgets = budgetEnforcement(log);

  return pubsubConsumer({
    target: 'billingIngestor',
    decode: decodeBillingNotification,
    async handle(notification, message) {
      const { billingCategory } = await budgets.config();
      const observedAt = message.publishTime ? new Date(message.publishTime) : new Date();
      const result = await recordBillingCost(firestore(), notification, billingCategory, Number.isNaN(observedAt.getTime()) ? new Date() : observedAt);
      log.info(
        { messageId: message.messageId, budgetId: notification.attributes.budgetId, category: billingCategory, ...result },
        result.addedMicros > 0 ? 'cloud billing cost counted' : 'cloud billing notification already counted',
      );
      await budgets.enforce(result.periodId, billingCategory);
    },
  });
}
