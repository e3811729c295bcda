import { FieldPath, FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import type { Alert } from '../contracts/alert';
import { deliveryKeyOf } from '../contracts/alert';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';
import { Status } from 'google-gax';

export const ALERT_DELIVERY_DEFAULTS = {
  /** A sender's claim on a route; a crashed sender's lapses after this (longer than a send's tries and timeouts). */
  leaseMilliseconds: 120_000,
  /** Alerts one digest email lists at most; more wait for the next one. */
  maxAlertsPerEmail: 50,
  retentionDays: 90,
} as const;

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'dead-lettered';

interface DeliveryDoc {
  routeId: string;
  deliveryKey: string;
  alert: Alert;
  status: DeliveryStatus;
  queuedAt: number;
  attempts: number;
  lastError?: string;
  messageId?: string;
  sentAt?: Timestamp;
}

interface RouteDoc {
  lastSentAt?: number;
  sendingUntil?: number;
}

export type DeliveryDecision =
  | { action: 'duplicate' }
  | { action: 'queued' }
  | { action: 'send'; deliveries: DeliveryDoc[]; previousLastSentAt: number | undefined };

const deliveryRef = (db: Firestore, routeId: string, key: string) => db.collection(COLLECTIONS.alertDeliveries).doc(`${routeId}_${key}`);
const routeRef = (db: Firestore, routeId: string) => db.collection(COLLECTIONS.alertRoutes).doc(routeId);

/**
 * Decides, in one transaction, what happens to an alert on a route: already sent (a redelivery),
 * queued for the route's next email (one went out within the digest window, or one is being
 * sent), or sent now — together with whatever was queued — under a claim on the route.
 * `flushRequestedAt`: an operator's flush asked at that time closes the window of a route whose
 * last email went out before it — and only then, so a flush redelivered by Pub/Sub after the
 * route has emailed again does not send a second email within the window.
 */
export async function claimDelivery(db: Firestore, routeId: string, alert: Alert | undefined, windowMilliseconds: number, now: number, flushRequestedAt?: number): Promise<DeliveryDecision> {
  for (;;) {
    const decision = await claimOnExistingRoute(db, routeId, alert, windowMilliseconds, now, flushRequestedAt).catch((error: unknown): typeof ROUTE_CHANGED => {
      // Another claim changed the route between this one's read and its commit: decide again.
      if ((error as { code?: number }).code === Status.FAILED_PRECONDITION) return ROUTE_CHANGED;
      throw error;
    });
    if (decision === ROUTE_CHANGED) continue;
    if (decision !== ROUTE_MISSING) return decision;
    // Concurrent transactions that all read a *missing* document are not reliably serialized by
    // the Firestore emulator (firebase-tools#1628, #6758): a burst on a new route sent two emails.
    // Creating the route document first gives every claim one existing document to lock.
    await routeRef(db, routeId)
      .create({})
      .catch((error: unknown) => {
        if ((error as { code?: number }).code !== Status.ALREADY_EXISTS) throw error;
      });
  }
}

const ROUTE_MISSING = Symbol('route-missing');
const ROUTE_CHANGED = Symbol('route-changed');

async function claimOnExistingRoute(db: Firestore, routeId: string, alert: Alert | undefined, windowMilliseconds: number, now: number, flushRequestedAt: number | undefined): Promise<DeliveryDecision | typeof ROUTE_MISSING> {
  const expireAt = Timestamp.fromMillis(now + ALERT_DELIVERY_DEFAULTS.retentionDays * 86_400_000);
  return db.runTransaction(async (tx) => {
    const routeSnap = await tx.get(routeRef(db, routeId));
    if (!routeSnap.exists) return ROUTE_MISSING;
    const route = routeSnap.data() as RouteDoc;
    let own: DeliveryDoc | undefined;
    if (alert) {
      const ref = deliveryRef(db, routeId, deliveryKeyOf(alert));
      const existing = (await tx.get(ref)).data() as DeliveryDoc | undefined;
      if (existing?.status === 'sent') return { action: 'duplicate' };
      // A dead-lettered alert that arrives again was replayed on purpose (`dead-letters --replay`): fresh attempts.
      own = existing?.status === 'dead-lettered' ? { ...existing, status: 'queued', attempts: 0 } : (existing ?? { routeId, deliveryKey: deliveryKeyOf(alert), alert, status: 'queued', queuedAt: now, attempts: 0 });
    }
    const flushed = flushRequestedAt !== undefined && (route.lastSentAt ?? 0) < flushRequestedAt;
    const windowOpen = route.lastSentAt !== undefined && now - route.lastSentAt < windowMilliseconds && !flushed;
    const busy = (route.sendingUntil ?? 0) > now;
    if (windowOpen || busy) {
      // An alert already in an email being sent (a redelivery racing its sender) stays 'sending'.
      if (own && own.status !== 'sending') tx.set(deliveryRef(db, routeId, own.deliveryKey), { ...own, status: 'queued', [TTL_FIELD]: expireAt });
      return { action: 'queued' };
    }
    // 'sending' with no live lease: a sender crashed mid-send; its alerts go out with this email.
    const queued = await tx.get(
      db
        .collection(COLLECTIONS.alertDeliveries)
        .where('routeId', '==', routeId)
        .where('status', 'in', ['queued', 'sending'])
        .orderBy('queuedAt')
        .limit(ALERT_DELIVERY_DEFAULTS.maxAlertsPerEmail),
    );
    const deliveries = [...(own ? [own] : []), ...queued.docs.map((d) => d.data() as DeliveryDoc).filter((d) => d.deliveryKey !== own?.deliveryKey)].slice(0, ALERT_DELIVERY_DEFAULTS.maxAlertsPerEmail);
    if (deliveries.length === 0) return { action: 'queued' };
    // The claim is conditional on the route as read: a precondition on the update time is checked
    // at commit whatever the transaction isolation (the emulator's is weaker than Firestore's, see
    // firebase-tools#1628 above); the loser re-decides and finds the window open. (The extra digests
    // once seen on Node 24 came from a redelivered flush tick, not from here: see flushRequestedAt.)
    tx.update(routeRef(db, routeId), { lastSentAt: now, sendingUntil: now + ALERT_DELIVERY_DEFAULTS.leaseMilliseconds }, { lastUpdateTime: routeSnap.updateTime! });
    for (const d of deliveries) {
      tx.set(deliveryRef(db, routeId, d.deliveryKey), { ...d, status: 'sending', [TTL_FIELD]: expireAt });
    }
    return { action: 'send', deliveries, previousLastSentAt: route.lastSentAt };
  });
}

/** Records a sent email: every alert in it is sent, the route is free, its window starts now. */
export async function recordSent(db: Firestore, routeId: string, deliveries: readonly DeliveryDoc[], messageId: string, now: number): Promise<void> {
  const batch = db.batch();
  for (const d of deliveries) batch.update(deliveryRef(db, routeId, d.deliveryKey), { status: 'sent', messageId, sentAt: Timestamp.fromMillis(now) });
  batch.set(routeRef(db, routeId), { lastSentAt: now, sendingUntil: 0 }, { merge: true });
  await batch.commit();
}

/**
 * Records a failed send: the alerts go back to the queue (one more attempt each) and the route's
 * window is restored, so the retry is not delayed by the email that never left. Returns the
 * deliveries that have now failed `maxAttempts` times: the caller dead-letters them, then marks them.
 */
export async function recordFailed(db: Firestore, routeId: string, deliveries: readonly DeliveryDoc[], error: string, previousLastSentAt: number | undefined, maxAttempts: number): Promise<DeliveryDoc[]> {
  const batch = db.batch();
  const exhausted: DeliveryDoc[] = [];
  for (const d of deliveries) {
    const attempts = d.attempts + 1;
    if (attempts >= maxAttempts) exhausted.push({ ...d, attempts, lastError: error });
    batch.update(deliveryRef(db, routeId, d.deliveryKey), { status: 'queued', attempts, lastError: error.slice(0, 500) });
  }
  batch.set(routeRef(db, routeId), { lastSentAt: previousLastSentAt ?? FieldValue.delete(), sendingUntil: 0 }, { merge: true });
  await batch.commit();
  return exhausted;
}

/** Marks deliveries that now sit on the dead-letter topic: they are never sent or dead-lettered again. */
export async function markDeadLettered(db: Firestore, deliveries: readonly DeliveryDoc[], reason: string, now: number): Promise<void> {
  const batch = db.batch();
  for (const d of deliveries) batch.update(deliveryRef(db, d.routeId, d.deliveryKey), { status: 'dead-lettered', lastError: reason.slice(0, 500), deadLetteredAt: Timestamp.fromMillis(now) });
  await batch.commit();
}

/**
 * Queued deliveries of routes that are no longer configured (nothing would ever send them), at
 * most `limit`. Every queued delivery is looked at, a page at a time: a long queue on a live
 * route must not hide the orphans behind it.
 */
export async function orphanedDeliveries(db: Firestore, routeIds: readonly string[], limit = 200, pageSize = 500): Promise<DeliveryDoc[]> {
  const orphans: DeliveryDoc[] = [];
  const queued = db.collection(COLLECTIONS.alertDeliveries).where('status', '==', 'queued').orderBy(FieldPath.documentId()).limit(pageSize);
  for (let page = await queued.get(); ; page = await queued.startAfter(page.docs.at(-1)!).get()) {
    for (const doc of page.docs) {
      const d = doc.data() as DeliveryDoc;
      if (!routeIds.includes(d.routeId)) orphans.push(d);
    }
    if (orphans.length >= limit || page.size < pageSize) return orphans.slice(0, limit);
  }
}

/** Recent deliveries, newest first, for the CLI. */
export async function listDeliveries(db: Firestore, options: { status?: DeliveryStatus; limit: number }): Promise<DeliveryDoc[]> {
  const all = db.collection(COLLECTIONS.alertDeliveries);
  const snap = await (options.status ? all.where('status', '==', options.status) : all).orderBy('queuedAt', 'desc').limit(options.limit).get();
  return snap.docs.map((d) => d.data() as DeliveryDoc);
}

export type { DeliveryDoc };
