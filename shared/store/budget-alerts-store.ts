import { FieldValue, type Firestore, type Timestamp } from '@google-cloud/firestore';
import type { BudgetAlert } from '../contracts/budget-alert';
import { COLLECTIONS } from './collections';

const ALREADY_EXISTS = 6;

/**
 * Raises an alert at most once: `create()` on its id succeeds for exactly one caller, however many
 * events cross the threshold and however often they are redelivered. Returns whether this call
 * raised it. The document stays `published: false` until the message is on the alerts topic.
 */
export async function raiseAlert(db: Firestore, alert: BudgetAlert): Promise<boolean> {
  try {
    await db.collection(COLLECTIONS.budgetAlerts).doc(alert.alertId).create({ ...alert, published: false, createdAt: FieldValue.serverTimestamp() });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === ALREADY_EXISTS) return false;
    throw error;
  }
}

export async function markAlertPublished(db: Firestore, alertId: string, messageId: string): Promise<void> {
  await db.collection(COLLECTIONS.budgetAlerts).doc(alertId).update({ published: true, messageId, publishedAt: FieldValue.serverTimestamp() });
}

/**
 * Alerts raised but still unpublished after `olderThanMilliseconds` (a crash between the two): the
 * outbox to drain. Younger ones are left to the instance that is publishing them right now.
 */
export async function unpublishedAlerts(db: Firestore, now: Date, olderThanMilliseconds = 60_000, limit = 50): Promise<BudgetAlert[]> {
  const snapshot = await db.collection(COLLECTIONS.budgetAlerts).where('published', '==', false).limit(limit).get();
  return snapshot.docs
    .filter((d) => ((d.get('createdAt') as Timestamp | undefined)?.toMillis() ?? 0) < now.getTime() - olderThanMilliseconds)
    .map((d) => alertOf(d.data()));
}

export async function alertsOfPeriod(db: Firestore, periodId: string): Promise<(BudgetAlert & { published: boolean })[]> {
  const snapshot = await db.collection(COLLECTIONS.budgetAlerts).where('period', '==', periodId).get();
  return snapshot.docs.map((d) => ({ ...alertOf(d.data()), published: d.get('published') === true }));
}

function alertOf(data: Record<string, unknown>): BudgetAlert {
  const { published: _p, createdAt: _c, publishedAt: _pa, messageId: _m, ...alert } = data;
  return alert as BudgetAlert;
}
