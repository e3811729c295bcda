import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, type BudgetConfig } from '../budget/budget-config';
import { COLLECTIONS, CONFIG_DOCS } from './collections';

/** Bookkeeping fields stored beside the config, not part of it. */
const META_FIELDS = ['updatedAt'] as const;

function stripMeta(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!data) return undefined;
  const copy = { ...data };
  for (const f of META_FIELDS) delete copy[f];
  return copy;
}

export type ConfigOrigin = 'stored' | 'last-good' | 'defaults';

export interface LoadedBudgetConfig {
  config: BudgetConfig;
  origin: ConfigOrigin;
  /** Why the stored document was not used, when it was present but invalid. */
  rejected?: string;
}

/**
 * Loads the budget config: the stored document when valid; otherwise the last good one (kept by
 * every successful load and save), else the defaults. A bad document never takes effect.
 */
export async function loadBudgetConfig(db: Firestore): Promise<LoadedBudgetConfig> {
  const config = db.collection(COLLECTIONS.config);
  const [stored, lastGood] = await db.getAll(config.doc(CONFIG_DOCS.budgets), config.doc(CONFIG_DOCS.budgetsLastGood));
  const data = stripMeta(stored?.data());
  if (!data) return { config: DEFAULT_BUDGET_CONFIG, origin: 'defaults' };
  try {
    const parsed = parseBudgetConfig(data);
    if (JSON.stringify(stripMeta(lastGood?.data())) !== JSON.stringify(parsed)) {
      await config.doc(CONFIG_DOCS.budgetsLastGood).set({ ...parsed, updatedAt: FieldValue.serverTimestamp() });
    }
    return { config: parsed, origin: 'stored' };
  } catch (error) {
    const rejected = (error as Error).message;
    const fallback = stripMeta(lastGood?.data());
    if (fallback) {
      try {
        return { config: parseBudgetConfig(fallback), origin: 'last-good', rejected };
      } catch {
        // fall through to the defaults
      }
    }
    return { config: DEFAULT_BUDGET_CONFIG, origin: 'defaults', rejected };
  }
}

/**
 * Changes the config in a transaction: `change` gets the config in force and returns the next
 * one, which is validated before anything is written (a bad one throws and changes nothing).
 */
export async function updateBudgetConfig(db: Firestore, change: (current: BudgetConfig) => BudgetConfig): Promise<BudgetConfig> {
  const config = db.collection(COLLECTIONS.config);
  return db.runTransaction(async (tx) => {
    const [stored, lastGood] = await tx.getAll(config.doc(CONFIG_DOCS.budgets), config.doc(CONFIG_DOCS.budgetsLastGood));
    let current = DEFAULT_BUDGET_CONFIG;
    for (const candidate of [stored, lastGood]) {
      const data = stripMeta(candidate?.data());
      if (!data) continue;
      try {
        current = parseBudgetConfig(data);
        break;
      } catch {
        // an invalid stored document: start from the last good one
      }
    }
    const next = parseBudgetConfig(change(current));
    tx.set(config.doc(CONFIG_DOCS.budgets), { ...next, updatedAt: FieldValue.serverTimestamp() });
    tx.set(config.doc(CONFIG_DOCS.budgetsLastGood), { ...next, updatedAt: FieldValue.serverTimestamp() });
    return next;
  });
}
