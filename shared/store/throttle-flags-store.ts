import { FieldValue, type Firestore } from '@google-cloud/firestore';
import type { BudgetKey } from '../budget/budget-config';
import type { ThrottleLevel } from '../budget/thresholds';
import { COLLECTIONS } from './collections';

/** One budget's flag as stored in the period's flags document. */
export interface ThrottleFlag {
  level: ThrottleLevel;
  ratio: number;
  spentMicros: number;
  budgetMicros: number;
  setAt: string;
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

/** Writes changed flags only; flags change on threshold crossings, so this document is never hot. */
export async function writeFlags(db: Firestore, periodId: string, changes: Partial<Record<BudgetKey, ThrottleFlag>>): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await flagsRef(db, periodId).set({ period: periodId, budgets: changes, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
}
