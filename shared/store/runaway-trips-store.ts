import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { kindOfInstance } from '../budget/scope';
import { COLLECTIONS } from '../basics/collections';
import type { RunawayAlert } from '../contracts/runaway-alert';
import { scopeFlagsRef, type BreakerFlag } from './scope-flags-store';

/** A breaker's trip of one scope instance, as stored (the alert rides along: the trip is its outbox). */
export interface RunawayTrip {
  ruleId: string;
  scope: string;
  tripId: string;
  active: boolean;
  shadow: boolean;
  reason: 'rate' | 'loop';
  rateMicrosPerMinute: number;
  baselineMicrosPerMinute: number;
  baselineFrom: string;
  since: number;
  until: number;
  alert: RunawayAlert;
  published: boolean;
  clearedAt?: number;
  clearedBy?: 'cooldown' | 'operator';
}

export function tripRef(db: Firestore, ruleId: string, instance: string) {
  return db.collection(COLLECTIONS.runawayTrips).doc(`${ruleId}|${encodeURIComponent(instance)}`);
}

/**
 * Records a trip once: a transaction on the (rule, instance) document refuses a second trip while
 * one is active, however many aggregator instances (or redeliveries) decide it at once. A rule in
 * force (not shadow) pauses the instance in the same transaction: `breakers.<rule>` on its flags
 * document, which every agent it applies to already listens to.
 */
export async function recordTrip(db: Firestore, trip: Omit<RunawayTrip, 'active' | 'published'>, now: number): Promise<'tripped' | 'already-tripped'> {
  const ref = tripRef(db, trip.ruleId, trip.scope);
  const flagsRef = scopeFlagsRef(db, trip.scope);
  return db.runTransaction(async (tx) => {
    const [current, flags] = await tx.getAll(ref, flagsRef);
    if (current?.get('active') === true && ((current.get('until') as number | undefined) ?? 0) > now) return 'already-tripped';
    tx.set(ref, { ...trip, active: true, published: false, recordedAt: FieldValue.serverTimestamp() });
    if (!trip.shadow) {
      const flag: BreakerFlag = { level: 'paused', ruleId: trip.ruleId, tripId: trip.tripId, reason: trip.reason, rateMicrosPerMinute: trip.rateMicrosPerMinute, baselineMicrosPerMinute: trip.baselineMicrosPerMinute, since: trip.since, until: trip.until };
      // A scope that never crossed a budget has no flags document yet: it gets the fields a budget's would have.
      const base = flags?.exists ? {} : { scope: trip.scope, kind: kindOfInstance(trip.scope), budgets: {}, flagged: false };
      tx.set(flagsRef, { ...base, breakers: { [trip.ruleId]: flag }, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
    }
    return 'tripped';
  });
}

/**
 * Ends an active trip and lifts its pause: `cooldown` only once its cool-down has passed at `now`
 * (the tick), `operator` at once (a reset). False when there was nothing to end.
 */
export async function clearTrip(db: Firestore, ruleId: string, instance: string, by: 'cooldown' | 'operator', now: number): Promise<boolean> {
  const ref = tripRef(db, ruleId, instance);
  const flagsRef = scopeFlagsRef(db, instance);
  return db.runTransaction(async (tx) => {
    const [current, flags] = await tx.getAll(ref, flagsRef);
    if (current?.get('active') !== true) return false;
    if (by === 'cooldown' && ((current.get('until') as number | undefined) ?? 0) > now) return false;
    tx.update(ref, { active: false, clearedAt: now, clearedBy: by });
    const flag = flags?.get(`breakers`) as Record<string, BreakerFlag> | undefined;
    if (flag?.[ruleId]?.tripId === current.get('tripId')) tx.update(flagsRef, { [`breakers.${ruleId}`]: FieldValue.delete(), updatedAt: FieldValue.serverTimestamp() });
    return true;
  });
}

/** The trips in force (or recorded, for shadow rules) and not yet cleared. */
export async function activeTrips(db: Firestore): Promise<RunawayTrip[]> {
  const snapshot = await db.collection(COLLECTIONS.runawayTrips).where('active', '==', true).get();
  return snapshot.docs.map((d) => tripOf(d.data()));
}

/** Trips whose alert is not yet on the alerts topic (a crash or failed publish): the outbox the tick sweeps. */
export async function unpublishedTrips(db: Firestore): Promise<RunawayTrip[]> {
  const snapshot = await db.collection(COLLECTIONS.runawayTrips).where('published', '==', false).get();
  return snapshot.docs.map((d) => tripOf(d.data()));
}

/** Marks a trip's alert published, if that trip is still the document's (a newer trip has its own). */
export async function markTripPublished(db: Firestore, ruleId: string, instance: string, tripId: string, messageId: string): Promise<void> {
  const ref = tripRef(db, ruleId, instance);
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (snap.get('tripId') === tripId) tx.update(ref, { published: true, messageId, publishedAt: FieldValue.serverTimestamp() });
  });
}

function tripOf(data: Record<string, unknown>): RunawayTrip {
  const { recordedAt: _r, publishedAt: _p, messageId: _m, ...trip } = data;
  return trip as unknown as RunawayTrip;
}
