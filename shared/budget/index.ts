// `governor/budget`: budgets and their rules (pure); their status and report, read from Firestore, are in `governor/reports`.
export { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, withBudget, BUDGET_KEYS, TOTAL } from './budget-config';
export type { BudgetConfig, BudgetKey } from './budget-config';
export { BUDGET_THRESHOLDS, THROTTLE_LEVELS } from './thresholds';
export type { ThrottleLevel, BudgetAlertLevel } from './thresholds';
export { evaluateBudget, alertsFor } from './evaluate-budgets';
export { forecastSpend } from './forecast';
export { recommend } from './recommendations';
export type { Recommendation } from './recommendations';
export { withScopedBudget, withoutScopedBudget, scopedBudgetsOf } from './budget-config';
export { scopedBudgetSchema, describeBudget, budgetInstancesFor } from './scoped-budget';
export type { ScopedBudget, ScopedBudgetInput } from './scoped-budget';
export { parseScope, formatScope, scopeInstanceOf, SCOPE_KINDS } from './scope';
export type { Scope, ScopeKind } from './scope';
export { windowOf, BUDGET_WINDOWS } from './budget-window';
export type { BudgetWindow, WindowSpan } from './budget-window';
export { periodOf, parsePeriodId } from '../basics/period';
export { formatUsd } from '../basics/money';
