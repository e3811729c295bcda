import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { COLLECTIONS, CONFIG_DOCS } from '../../shared/basics/collections';
import { flagsRef } from '../../shared/store/throttle-flags-store';

/**
 * Firestore listeners on every document the live sections are read from, for one period: spend
 * shards, the flags document, budget alerts, the budgets config, bans, performance alerts, and the
 * scoped budgets' flags and alerts (top spenders and drill-downs show them).
 * Each change calls `onChange` (the caller debounces); a failed listener calls `onError` with what
 * it watched. Returns the function that stops them all.
 */
export function listenToChanges(db: Firestore, periodId: string, since: Date, onChange: () => void, onError: (what: string, error: Error) => void): () => void {
  const failed = (what: string) => (error: Error) => onError(what, error);
  const stops = [
    db.collection(COLLECTIONS.spendShards).where('period', '==', periodId).onSnapshot(onChange, failed('spend shards')),
    flagsRef(db, periodId).onSnapshot(onChange, failed('throttle flags')),
    db.collection(COLLECTIONS.budgetAlerts).where('period', '==', periodId).onSnapshot(onChange, failed('budget alerts')),
    db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.budgets).onSnapshot(onChange, failed('budgets')),
    // Bans created or lifted from `since` on (a lift sets expiresAt to the lift time, after `since`).
    db.collection(COLLECTIONS.bans).where('expiresAt', '>', Timestamp.fromDate(since)).onSnapshot(onChange, failed('bans')),
    // Scope instances with a flag in force: a flag raised, changed, or cleared (it leaves the query).
    db.collection(COLLECTIONS.scopeFlags).where('flagged', '==', true).onSnapshot(onChange, failed('scope flags')),
    // Scoped alerts carry their window's period, which may be the previous month (a week, a zone's month).
    db.collection(COLLECTIONS.budgetAlerts).where('raisedAt', '>=', since.toISOString()).onSnapshot(onChange, failed('scoped budget alerts')),
    db.collection(COLLECTIONS.performanceAlerts).where('at', '>=', since.toISOString()).onSnapshot(onChange, failed('performance alerts')),
    // Burn-rate breaker trips in force: a trip, a cool-down's end or a reset (it leaves the query).
    db.collection(COLLECTIONS.runawayTrips).where('active', '==', true).onSnapshot(onChange, failed('runaway trips')),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
