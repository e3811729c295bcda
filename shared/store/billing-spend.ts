import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { periodOf } from '../budget/period';
import type { BillingNotification } from '../contracts/billing-notification';
import type { CostCategory } from '../contracts/vocabulary';
import { COLLECTIONS } from './collections';
import { SPEND_DEFAULTS, shardIncrements, shardRef } from './spend-shards';

export interface BillingRecordResult {
  periodId: string;
  /** What this notification added: its cumulative cost minus what was counted before (never negative). */
  addedMicros: number;
  cumulativeMicros: number;
}

/**
 * Counts a Cloud Billing notification once: GCP re-sends the interval's cumulative cost, so only
 * the increase over the largest amount already counted for (budget, interval) is added to spend.
 * Redeliveries and re-sends add nothing; an older, smaller amount arriving late adds nothing.
 */
export async function recordBillingCost(
  db: Firestore,
  notification: BillingNotification,
  category: CostCategory,
  random: () => number = Math.random,
): Promise<BillingRecordResult> {
  const { data, attributes } = notification;
  const intervalStart = new Date(data.costIntervalStart);
  const periodId = periodOf(intervalStart).id;
  const cumulativeMicros = Math.round(data.costAmount * 1_000_000);
  const ref = db.collection(COLLECTIONS.billingBudgets).doc(`${attributes.budgetId}_${intervalStart.toISOString().slice(0, 10)}`);
  return db.runTransaction(async (tx) => {
    const counted = ((await tx.get(ref)).get('countedMicros') as number | undefined) ?? 0;
    const addedMicros = Math.max(0, cumulativeMicros - counted);
    if (addedMicros > 0) {
      const shard = Math.floor(random() * SPEND_DEFAULTS.shardCount);
      tx.set(shardRef(db, periodId, shard), shardIncrements([{ category, amountMicros: addedMicros }], periodId, shard), { merge: true });
      tx.set(ref, {
        budgetId: attributes.budgetId,
        billingAccountId: attributes.billingAccountId,
        budgetDisplayName: data.budgetDisplayName,
        costIntervalStart: data.costIntervalStart,
        period: periodId,
        category,
        countedMicros: cumulativeMicros,
        updatedAt: FieldValue.serverTimestamp(),
      });
    }
    return { periodId, addedMicros, cumulativeMicros };
  });
}
