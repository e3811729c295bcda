import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, type BudgetConfig } from '../budget/budget-config';
import { COLLECTIONS, CONFIG_DOCS } from '../basics/collections';
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

/**
 * Calls `onChange` whenever the stored budget config document changes (one live listener; the
 * first snapshot does not count). The caller loads and validates it as usual. Returns the unsubscribe.
 */
export function watchBudgetConfig(db: Firestore, onChange: () => void, onError: (error: Error) => void): () => void {
  let first = true;
  return db
    .collection(COLLECTIONS.config)
    .doc(CONFIG_DOCS.budgets)
    .onSnapshot(() => {
      if (first) first = false;
      else onChange();
    }, onError);
}
