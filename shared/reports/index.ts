// `governor/reports`: the budget status and report read from Firestore, importable by operators' own tools.
export { budgetStatus, budgetReport } from './budget-status';
export type { BudgetStatus, BudgetReport, BudgetLine } from './budget-status';
