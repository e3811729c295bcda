import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, type BudgetConfig } from '../budget/budget-config';
import { CONFIG_DOCS } from '../basics/collections';
import { loadValidatedConfig, updateValidatedConfig, type ConfigDocument, type LoadedConfig } from './validated-config';

export type { ConfigOrigin } from './validated-config';
export type LoadedBudgetConfig = LoadedConfig<BudgetConfig>;

const BUDGETS: ConfigDocument<BudgetConfig> = {
  doc: CONFIG_DOCS.budgets,
  lastGoodDoc: CONFIG_DOCS.budgetsLastGood,
  parse: parseBudgetConfig,
  defaults: DEFAULT_BUDGET_CONFIG,
};

/** The budget config in force: stored if valid, else the last good one, else the defaults. */
export function loadBudgetConfig(db: Firestore): Promise<LoadedBudgetConfig> {
  return loadValidatedConfig(db, BUDGETS);
}

/** Changes the budget config in a transaction; an invalid result throws and changes nothing. */
export function updateBudgetConfig(db: Firestore, change: (current: BudgetConfig) => BudgetConfig): Promise<BudgetConfig> {
  return updateValidatedConfig(db, BUDGETS, change);
}

