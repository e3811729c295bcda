// `governor/budget`: budgets, their status and report, importable by operators' own tools.
export { budgetStatus, budgetReport } from './budget-status';
export type { BudgetStatus, BudgetReport, BudgetLine } from './budget-status';
export { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, withBudget, BUDGET_KEYS, TOTAL } from './budget-config';
export type { BudgetConfig, BudgetKey } from './budget-config';
export { BUDGET_THRESHOLDS, THROTTLE_LEVELS } from './thresholds';
export type { ThrottleLevel, BudgetAlertLevel } from './thresholds';
export { evaluateBudget, alertsFor } from './evaluate-budgets';
export { forecastSpend } from './forecast';
export { recommend } from './recommendations';
export type { Recommendation } from './recommendations';
export { periodOf, parsePeriodId } from './period';
export { formatUsd } from './money';
export { loadBudgetConfig, updateBudgetConfig } from '../store/budget-config-store';
