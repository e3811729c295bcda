import { ValidationError } from './validation-error';
import { budgetAlertSchema, type BudgetAlert } from './budget-alert';
import { performanceAlertSchema, type PerformanceAlert } from './performance-alert';
import { pricingAlertSchema, type PricingAlert } from './pricing-alert';
import { runawayAlertSchema, type RunawayAlert } from './runaway-alert';
import { securityAlertSchema, type SecurityAlert } from './security-alert';

/** Anything on the alerts topic: budget and forecast, performance, security, pricing, runaway. */
export type Alert = BudgetAlert | PerformanceAlert | SecurityAlert | PricingAlert | RunawayAlert;

export function isBudgetAlert(alert: Alert): alert is BudgetAlert {
  return alert.kind === 'budget' || alert.kind === 'forecast';
}

/** Severity shared by all alert kinds, for routing: budget EXCEEDED counts as CRITICAL. */
export function severityOf(alert: Alert): 'INFO' | 'WARNING' | 'CRITICAL' {
  if (isBudgetAlert(alert)) return alert.severity === 'WARNING' ? 'WARNING' : 'CRITICAL';
  return alert.severity;
}

/** What a route matches on besides kind and severity: the budget category, metric, subject type, model or runaway reason. */
export function categoryOf(alert: Alert): string {
  if (isBudgetAlert(alert)) return alert.category;
  if (alert.kind === 'performance') return alert.metric;
  if (alert.kind === 'pricing') return alert.model;
  if (alert.kind === 'runaway') return alert.reason;
  return alert.subjectType;
}

/** One delivery per alert and status: a performance alert's RAISED and CLEARED are two emails. */
export function deliveryKeyOf(alert: Alert): string {
  return alert.kind === 'performance' ? `${alert.alertId}_${alert.status}` : alert.alertId;
}

/** The kinds of alert on the alerts topic (what a route may match on). */
export const ALERT_KINDS = ['budget', 'forecast', 'performance', 'security', 'pricing', 'runaway'] as const;

const SCHEMA_BY_KIND = { budget: budgetAlertSchema, forecast: budgetAlertSchema, performance: performanceAlertSchema, security: securityAlertSchema, pricing: pricingAlertSchema, runaway: runawayAlertSchema } as const satisfies Record<(typeof ALERT_KINDS)[number], unknown>;

/** Validates an alert, with the field errors of its own kind (a union's errors would list every kind's). */
export function parseAlert(value: unknown): Alert {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const schema = typeof kind === 'string' ? SCHEMA_BY_KIND[kind as keyof typeof SCHEMA_BY_KIND] : undefined;
  if (!schema) throw new ValidationError([{ path: 'kind', message: `expected one of ${Object.keys(SCHEMA_BY_KIND).join(', ')}, got ${JSON.stringify(kind)}` }]);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}
