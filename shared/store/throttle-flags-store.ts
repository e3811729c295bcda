import { FieldValue, type Firestore } from '@google-cloud/firestore';
import type { BudgetKey } from '../budget/budget-config';
import { throttleRank, type ThrottleLevel } from '../budget/thresholds';
import { COLLECTIONS, CONFIG_DOCS } from '../basics/collections';

/** One budget's flag as stored in the period's flags document. */
export interface ThrottleFlag {
  level: ThrottleLevel;
  ratio: number;
  spentMicros: number;
  budgetMicros: number;
  setAt: string;
  /** Version of the budget config the flag was computed with (update time of its document, ms). */
  configVersion: number;
}

/** The flags document of a period: `budgets.<KEY>` per flagged budget. A new period starts empty. */
export interface ThrottleFlagsDoc {
  period: string;
  budgets: Partial<Record<BudgetKey, ThrottleFlag>>;
}

export function flagsRef(db: Firestore, periodId: string) {
  return db.collection(COLLECTIONS.throttleFlags).doc(periodId);
}

export async function readFlags(db: Firestore, periodId: string): Promise<ThrottleFlagsDoc> {
  const snapshot = await flagsRef(db, periodId).get();
  return { period: periodId, budgets: (snapshot.get('budgets') as ThrottleFlagsDoc['budgets'] | undefined) ?? {} };
}

export type FlagWriteOutcome =
  | {
      status: 'written';
      /** Flags whose level this write changed. */
      changes: Partial<Record<BudgetKey, ThrottleFlag>>;
      /** Every desired budget's level as stored once this transaction committed (all under `configVersion`). */
      levels: Partial<Record<BudgetKey, ThrottleLevel>>;
    }
  | { status: 'stale-config' };

/**
 * Sets flags to what the spend calls for, in a transaction that refuses to act on an old budget
 * config (one changed since it was loaded) and, under one config, never lowers a flag: spend only
 * grows within a period, so a lower level can only come from an evaluation that read older spend.
 * Writes happen on threshold crossings (and once per config change) only, so this document is
 * never hot.
 *
 * A raised flag left at its level under a new config is re-stamped with the new version: only a
 * flag stamped with the config in force is protected from lowering, and an instance that skips
 * this transaction (BudgetEnforcer) relies on every level it saw here staying at least as high
 * until the config changes.
 */
export async function applyFlags(db: Firestore, periodId: string, desired: Partial<Record<BudgetKey, Omit<ThrottleFlag, 'configVersion'>>>, configVersion: number): Promise<FlagWriteOutcome> {
  const configRef = db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.budgets);
  return db.runTransaction(async (tx) => {
    const [config, flags] = await tx.getAll(configRef, flagsRef(db, periodId));
    if ((config?.updateTime?.toMillis() ?? 0) !== configVersion) return { status: 'stale-config' };
    const current = (flags?.get('budgets') as ThrottleFlagsDoc['budgets'] | undefined) ?? {};
    const changes: Partial<Record<BudgetKey, ThrottleFlag>> = {};
    const writes: Partial<Record<BudgetKey, ThrottleFlag>> = {};
    const levels: Partial<Record<BudgetKey, ThrottleLevel>> = {};
    for (const [key, flag] of Object.entries(desired) as [BudgetKey, Omit<ThrottleFlag, 'configVersion'>][]) {
      const now = current[key];
      const level = now?.level ?? 'none';
      levels[key] = level;
      if (level === flag.level) {
        // Same level under an older config: stamp it with this one (see above); 'none' cannot be lowered.
        if (now && level !== 'none' && now.configVersion !== configVersion) writes[key] = { ...now, configVersion };
        continue;
      }
      if (now?.configVersion === configVersion && throttleRank(flag.level) < throttleRank(level)) continue;
      changes[key] = { ...flag, configVersion };
      writes[key] = changes[key];
      levels[key] = flag.level;
    }
    if (Object.keys(writes).length > 0) {
      tx.set(flagsRef(db, periodId), { period: periodId, budgets: writes, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
    }
    return { status: 'written', changes, levels };
  });
}
