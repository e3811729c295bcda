import { billingNotificationAttributesSchema, billingNotificationDataSchema, type BillingNotification } from '../../shared/contracts/billing-notification';
import { EventDecodeError, parseJsonBody, PermanentEventError } from '../../shared/contracts/event';
import type { PushedMessage } from '../common/pubsub-push';
import { ValidationError } from '../../shared/contracts/validation-error';

/** Decodes and validates a Cloud Billing budget notification; only USD budgets are counted. */
export function decodeBillingNotification(message: PushedMessage): BillingNotification {
  const json = parseJsonBody(message.data);
  const data = billingNotificationDataSchema.safeParse(json);
  const attributes = billingNotificationAttributesSchema.safeParse(message.attributes);
  const issues = [
    ...(data.success ? [] : [ValidationError.fromZod(data.error).message]),
    ...(attributes.success ? [] : [ValidationError.fromZod(attributes.error, ['attributes']).message]),
  ];
  if (!data.success || !attributes.success) throw new EventDecodeError('schema', issues.join('; '));
  if (data.data.currencyCode !== 'USD') {
    throw new PermanentEventError('currency', `budget ${attributes.data.budgetId} reports in ${data.data.currencyCode}; Governor counts USD only`);
  }
  return { data: data.data, attributes: attributes.data };
}
