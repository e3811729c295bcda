import { z } from 'zod';

/**
 * A Cloud Billing programmatic budget notification, as GCP publishes it to a budget's Pub/Sub
 * topic: JSON data plus attributes. GCP re-sends it several times a day with the cumulative
 * `costAmount` of the interval so far. Unknown fields are tolerated: the format is GCP's.
 */
export const billingNotificationDataSchema = z.object({
  budgetDisplayName: z.string(),
  alertThresholdExceeded: z.number().optional(),
  forecastThresholdExceeded: z.number().optional(),
  costAmount: z.number().finite().nonnegative(),
  costIntervalStart: z.iso.datetime({ offset: true }),
  budgetAmount: z.number().finite().nonnegative(),
  budgetAmountType: z.string(),
  currencyCode: z.string().length(3),
});

export const billingNotificationAttributesSchema = z.object({
  billingAccountId: z.string().min(1),
  budgetId: z.string().min(1),
  schemaVersion: z.string().optional(),
});

export interface BillingNotification {
  data: z.infer<typeof billingNotificationDataSchema>;
  attributes: z.infer<typeof billingNotificationAttributesSchema>;
}
