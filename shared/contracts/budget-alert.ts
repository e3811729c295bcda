import { z } from 'zod';
import { BUDGET_ALERT_LEVELS, COST_CATEGORIES, THROTTLE_LEVELS } from './vocabulary';

/**
 * A budget or forecast alert on the alerts topic. It carries the fields of a Cloud Billing budget
 * notification, so a consumer written for GCP budgets works unchanged, plus Governor's own.
 */
export const budgetAlertSchema = z.strictObject({
  schemaVersion: z.literal(1),
  alertId: z.string().min(1),
  kind: z.enum(['budget', 'forecast']),
  severity: z.enum(BUDGET_ALERT_LEVELS),
  /** A cost category, or TOTAL for the overall budget. */
  category: z.enum([...COST_CATEGORIES, 'TOTAL']),
  period: z.string().regex(/^\d{4}-\d{2}$/),
  raisedAt: z.iso.datetime({ offset: true }),
  throttle: z.enum(THROTTLE_LEVELS),
  costMicros: z.number().int().nonnegative(),
  budgetMicros: z.number().int().nonnegative(),
  forecastMicros: z.number().int().nonnegative().optional(),
  // Cloud Billing budget-notification fields (amounts in currency units, as GCP sends them).
  budgetDisplayName: z.string(),
  alertThresholdExceeded: z.number().optional(),
  forecastThresholdExceeded: z.number().optional(),
  costAmount: z.number(),
  costIntervalStart: z.iso.datetime({ offset: true }),
  budgetAmount: z.number(),
  budgetAmountType: z.literal('SPECIFIED_AMOUNT'),
  currencyCode: z.literal('USD'),
  // Scoped budgets (absent for the fleet's monthly category/total budgets): which budget, which
  // scope instance (`agent:writer-1`, `team:search`, `fleet`) and which window it is about.
  budgetId: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  window: z.enum(['hour', 'day', 'week', 'month']).optional(),
  windowId: z.string().min(1).optional(),
  windowEnd: z.iso.datetime({ offset: true }).optional(),
  /** Raised by a budget in shadow mode: what it would have done; nothing was enforced. */
  shadow: z.boolean().optional(),
});
export type BudgetAlert = z.infer<typeof budgetAlertSchema>;

/** Message attributes of a budget alert, for subscription filters. */
export function budgetAlertAttributes(alert: BudgetAlert): Record<string, string> {
  return { alertId: alert.alertId, kind: alert.kind, category: alert.category, severity: alert.severity, ...(alert.scope ? { scope: alert.scope } : {}) };
}
