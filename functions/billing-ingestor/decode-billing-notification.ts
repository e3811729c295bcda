import { billingNotificationAttributesSchema, billingNotificationDataSchema, type BillingNotification } from '../../shared/contracts/billing-notification';
import { EventDecodeError, PermanentEventError } from '../../shared/contracts/event';
import { MAX_EVENT_BYTES } from '../../shared/contracts/envelope';
import type { PushedMessage } from '../common/pubsub-push';

/** Decodes and validates a Cloud Billing budget notification; only USD budgets are counted. */
export function decodeBillingNotification(message: PushedMessage): BillingNotification {
  if (message.data.length > MAX_EVENT_BYTES) throw new EventDecodeError('oversize', `message is ${message.data.length} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(message.data.toString('utf8'));
  } catch (error) {
    throw new EventDecodeError('not-json', `body is not JSON: ${(error as Error).message}`);
  }
  const data = billingNotificationDataSchema.safeParse(json);
  const attributes = billingNotificationAttributesSchema.safeParse(message.attributes);
  const issues = [
    ...(data.success ? [] : data.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...(attributes.success ? [] : attributes.error.issues.map((i) => `attributes.${i.path.join('.')}: ${i.message}`)),
  ];
  if (!data.success || !attributes.success) throw new EventDecodeError('schema', issues.join('; '));
  if (data.data.currencyCode !== 'USD') {
    throw new PermanentEventError('currency', `budget ${attributes.data.budgetId} reports in ${data.data.currencyCode}; Governor counts USD only`);
  }
  return { data: data.data, attributes: attributes.data };
}
