import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { BILLING_SOURCE, recordBillingCost } from '../../shared/store/billing-spend';
import { scopedBudgetsOf } from '../../shared/budget/budget-config';
import { budgetInstancesFor } from '../../shared/budget/scoped-budget';
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
      const config = await budgets.config();
      const { billingCategory } = config;
      const published = message.publishTime ? new Date(message.publishTime) : new Date();
      const observedAt = Number.isNaN(published.getTime()) ? new Date() : published;
      const attribution = config.billingAttribution?.[notification.attributes.budgetId];
      const scopedBudgets = scopedBudgetsOf(config);
      const result = await recordBillingCost(firestore(), notification, billingCategory, observedAt, Math.random, { budgets: scopedBudgets, ...(attribution ? { attribution } : {}) });
      log.info(
        { messageId: message.messageId, budgetId: notification.attributes.budgetId, category: billingCategory, ...result },
        result.addedMicros > 0 ? 'cloud billing cost counted' : 'cloud billing notification already counted',
      );
      const instances = result.addedMicros > 0 ? budgetInstancesFor(scopedBudgets, { source: BILLING_SOURCE, ...(attribution ? { attribution } : {}) }, billingCategory, observedAt) : [];
      await Promise.all([budgets.enforce(result.periodId, billingCategory), budgets.scoped.enforceRecentOf(instances)]);
    },
  });
}
