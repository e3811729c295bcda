import { z } from 'zod';
import { COST_CATEGORIES, type CostCategory } from '../contracts/vocabulary';

/**
 * `soft` (the default): spend is recorded, then flags and alerts act on it. `hard`: agents spend
 * only against allowance leased beforehand, so concurrent agents cannot overspend it by more
 * than the bound argued in allowance-ledger.ts.
 */
export const BUDGET_MODES = ['soft', 'hard'] as const;
export type BudgetMode = (typeof BUDGET_MODES)[number];

// Spelled out here (not imported from budget-config) so budget-config can embed this schema.
const budgetKeySchema = z.enum([...COST_CATEGORIES, 'TOTAL']);

/** `budgetMode` in the budget config: the budgets that are hard; every other one is soft. */
export const budgetModeSchema = z.partialRecord(budgetKeySchema, z.enum(BUDGET_MODES));
export type BudgetModes = z.infer<typeof budgetModeSchema>;

type WithModes = { budgetMode?: BudgetModes };

export function budgetModeOf(config: WithModes, key: CostCategory | 'TOTAL'): BudgetMode {
  return config.budgetMode?.[key] ?? 'soft';
}

/** The hard budgets a spend in `category` counts against: the category's own and the total's. */
export function hardBudgetsFor(config: WithModes, category: CostCategory): (CostCategory | 'TOTAL')[] {
  return ([category, 'TOTAL'] as const).filter((key) => budgetModeOf(config, key) === 'hard');
}
