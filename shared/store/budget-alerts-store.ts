import { FieldValue, type Firestore } from '@google-cloud/firestore';
import type { BudgetAlert } from '../contracts/budget-alert';
import { COLLECTIONS } from '../basics/collections';
import { Status } from 'google-gax';


/** How long a publisher holds its claim on an alert before another may publish it. */
export const PUBLISH_CLAIM_MILLISECONDS = 30_000;

/**
 * Raises an alert at most once: `create()` on its id succeeds for exactly one caller, however many
 * events cross the threshold and however often they are redelivered. The creator holds the claim
 * to publish it; the document stays `published: false` until the message is on the alerts topic.
 */
export async function raiseAlert(db: Firestore, alert: BudgetAlert, now: Date): Promise<'created' | 'exists'> {
  try {
    await db
      .collection(COLLECTIONS.budgetAlerts)
      .doc(alert.alertId)
      .create({ ...alert, published: false, publishingUntil: now.getTime() + PUBLISH_CLAIM_MILLISECONDS, createdAt: FieldValue.serverTimestamp() });
    return 'created';
  } catch (error) {
    if ((error as { code?: number }).code === Status.ALREADY_EXISTS) return 'exists';
    throw error;
  }
}

export type Claim = { status: 'claimed'; alert: BudgetAlert } | { status: 'published' } | { status: 'held-by-another' } | { status: 'missing' };

/** Claims an existing, unpublished alert for publishing, so only one caller publishes it at a time. */
export async function claimAlert(db: Firestore, alertId: string, now: Date): Promise<Claim> {
  const ref = db.collection(COLLECTIONS.budgetAlerts).doc(alertId);
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (!snap.exists) return { status: 'missing' };
    if (snap.get('published') === true) return { status: 'published' };
    if (((snap.get('publishingUntil') as number | undefined) ?? 0) > now.getTime()) return { status: 'held-by-another' };
    tx.update(ref, { publishingUntil: now.getTime() + PUBLISH_CLAIM_MILLISECONDS });
    return { status: 'claimed', alert: alertOf(snap.data() as Record<string, unknown>) };
  });
}

export async function markAlertPublished(db: Firestore, alertId: string, messageId: string): Promise<void> {
  await db.collection(COLLECTIONS.budgetAlerts).doc(alertId).update({ published: true, messageId, publishedAt: FieldValue.serverTimestamp() });
}

/** Ids of alerts raised but unpublished whose claim has lapsed (a crash or failed publish): the outbox. */
export async function unpublishedAlertIds(db: Firestore, now: Date, limit = 100): Promise<string[]> {
  const snapshot = await db.collection(COLLECTIONS.budgetAlerts).where('published', '==', false).limit(limit).get();
  return snapshot.docs.filter((d) => ((d.get('publishingUntil') as number | undefined) ?? 0) <= now.getTime()).map((d) => d.id);
}

export async function alertsOfPeriod(db: Firestore, periodId: string): Promise<(BudgetAlert & { published: boolean })[]> {
  const snapshot = await db.collection(COLLECTIONS.budgetAlerts).where('period', '==', periodId).get();
  return snapshot.docs.map((d) => ({ ...alertOf(d.data()), published: d.get('published') === true }));
}

function alertOf(data: Record<string, unknown>): BudgetAlert {
  const { published: _p, createdAt: _c, publishedAt: _pa, messageId: _m, publishingUntil: _u, ...alert } = data;
  return alert as BudgetAlert;
}

