import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { Status } from 'google-gax';
import { COLLECTIONS } from '../basics/collections';
import type { PricingAlert } from '../contracts/pricing-alert';

/**
 * Records the alert of an unpriced model for its day, once (`create()`); true when the caller
 * should publish it: it was just recorded, or recorded earlier but never marked published (a
 * crash or failed publish in between). A rare second publication is deduplicated by `alertId`.
 */
export async function recordUnpricedAlert(db: Firestore, alert: PricingAlert): Promise<boolean> {
  const ref = db.collection(COLLECTIONS.unpricedModels).doc(alert.alertId);
  try {
    await ref.create({ ...alert, published: false, createdAt: FieldValue.serverTimestamp() });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code !== Status.ALREADY_EXISTS) throw error;
    return (await ref.get()).get('published') !== true;
  }
}

export async function markUnpricedAlertPublished(db: Firestore, alertId: string, messageId: string): Promise<void> {
  await db.collection(COLLECTIONS.unpricedModels).doc(alertId).update({ published: true, messageId, publishedAt: FieldValue.serverTimestamp() });
}

/** Models used without a price since `fromDay` (YYYY-MM-DD), with the days they were seen and what they were charged as. */
export async function unpricedModelsSince(db: Firestore, fromDay: string): Promise<{ model: string; days: string[]; chargedAs: string }[]> {
  const snapshot = await db.collection(COLLECTIONS.unpricedModels).where('day', '>=', fromDay).get();
  const byModel = new Map<string, { model: string; days: string[]; chargedAs: string }>();
  for (const doc of snapshot.docs) {
    const a = doc.data() as PricingAlert;
    const into = byModel.get(a.model) ?? { model: a.model, days: [], chargedAs: a.chargedAs };
    into.days.push(a.day);
    byModel.set(a.model, into);
  }
  return [...byModel.values()].map((m) => ({ ...m, days: m.days.sort() }));
}
