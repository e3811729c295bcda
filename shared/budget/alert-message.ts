import type { BudgetAlert } from '../contracts/budget-alert';
import type { AlertDraft } from './evaluate-budgets';
import type { Period } from '../basics/period';

const toUnits = (micros: number): number => micros / 1_000_000;

/** The alerts-topic message for a draft: Cloud Billing's fields plus Governor's. */
export function budgetAlertMessage(draft: AlertDraft, period: Period, raisedAt: Date): BudgetAlert {
  return {
    schemaVersion: 1,
    alertId: draft.alertId,
    kind: draft.kind,
    severity: draft.level,
    category: draft.key,
    period: draft.periodId,
    raisedAt: raisedAt.toISOString(),
    throttle: draft.throttle,
    costMicros: draft.costMicros,
    budgetMicros: draft.budgetMicros,
    ...(draft.forecastMicros !== undefined ? { forecastMicros: draft.forecastMicros } : {}),
    budgetDisplayName: `Governor ${draft.key === 'TOTAL' ? 'total' : draft.key} monthly budget`,
    ...(draft.kind === 'budget' ? { alertThresholdExceeded: draft.threshold } : { forecastThresholdExceeded: draft.threshold }),
    costAmount: toUnits(draft.costMicros),
    costIntervalStart: period.start.toISOString(),
    budgetAmount: toUnits(draft.budgetMicros),
    budgetAmountType: 'SPECIFIED_AMOUNT',
    currencyCode: 'USD',
  };
}
