import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { periodOf } from '../basics/period';
import type { BillingNotification } from '../contracts/billing-notification';
import type { CostCategory } from '../contracts/vocabulary';
import { COLLECTIONS } from '../basics/collections';
import { SPEND_DEFAULTS, shardIncrements, shardRef } from './spend-shards';
import { microsOfUsd } from '../basics/money';
import type { Attribution } from '../contracts/attribution';
import type { ScopedBudget } from '../budget/scoped-budget';
import { addScopeIncrement, scopeIncrementsOfCosts } from './scope-spend';
import { processShardPicker } from './counter-shards';

/** The agent Cloud Billing's spend is counted as (an `agent:*` budget gives it its own counter). */
export const BILLING_SOURCE = 'cloud-billing';

/** Late notifications of a month (GCP's final figures) still count in that month for this long. */
export const LATE_NOTIFICATION_MILLISECONDS = 3 * 86_400_000;

/**
 * The month an increase is counted in: the interval's month while the notification belongs to it
 * (a monthly budget, or its final figures a few days later), else the month it was observed —
 * so a quarterly or yearly budget's increases land in the month they happened.
 */
export function spendPeriodOf(intervalStart: Date, observedAt: Date): string {
  const intervalPeriod = periodOf(intervalStart);
  return observedAt.getTime() < intervalPeriod.end.getTime() + LATE_NOTIFICATION_MILLISECONDS ? intervalPeriod.id : periodOf(observedAt).id;
}

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
  observedAt: Date,
  random: () => number = Math.random,
  scoped: { budgets: readonly ScopedBudget[]; attribution?: Attribution } = { budgets: [] },
): Promise<BillingRecordResult> {
  const { data, attributes } = notification;
  const intervalStart = new Date(data.costIntervalStart);
  const periodId = spendPeriodOf(intervalStart, observedAt);
  const cumulativeMicros = microsOfUsd(data.costAmount);
  const ref = db.collection(COLLECTIONS.billingBudgets).doc(`${attributes.budgetId}_${intervalStart.toISOString().slice(0, 10)}`);
  return db.runTransaction(async (tx) => {
    const counted = ((await tx.get(ref)).get('countedMicros') as number | undefined) ?? 0;
    const addedMicros = Math.max(0, cumulativeMicros - counted);
    if (addedMicros > 0) {
      const shard = Math.floor(random() * SPEND_DEFAULTS.shardCount);
      tx.set(shardRef(db, periodId, shard), shardIncrements([{ category, amountMicros: addedMicros }], periodId, shard), { merge: true });
      // The increase counts in the scoped budgets of its attribution too, in the same transaction.
      const subject = { source: BILLING_SOURCE, ...(scoped.attribution ? { attribution: scoped.attribution } : {}) };
      // Never recorded as committed here (the transaction may yet fail or run again): a spread write
      // from billing sets the mark on shard 0 each time, which is rare and harmless.
      for (const inc of scopeIncrementsOfCosts([{ subject, category, at: observedAt, amountMicros: addedMicros }], scoped.budgets)) {
        addScopeIncrement(db, tx, inc, processShardPicker);
      }
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
