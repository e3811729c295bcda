import { FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import { kindOfInstance } from '../budget/scope';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';
import type { MinuteIncrement } from '../runaway/minute-tally';
import type { PeerBaselines, PeerHistory } from '../runaway/minute-history';

/** Minute documents outlive the hour a baseline looks back over, then expire by TTL. */
const RETENTION_MILLISECONDS = 3 * 3_600_000;
/** Firestore's limit on the writes of one batch. */
const WRITES_PER_BATCH = 500;

export function burnMinuteRef(db: Firestore, instance: string, minute: number) {
  return db.collection(COLLECTIONS.burnMinutes).doc(`${encodeURIComponent(instance)}|${minute}`);
}

/** Adds minute increments (one merge-set each, created on first use), 500 a batch, batches in parallel. */
export async function writeBurnMinutes(db: Firestore, increments: readonly MinuteIncrement[]): Promise<number> {
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < increments.length; i += WRITES_PER_BATCH) {
    const batch = db.batch();
    for (const inc of increments.slice(i, i + WRITES_PER_BATCH)) {
      const inc$ = (n: number) => FieldValue.increment(n);
      batch.set(
        burnMinuteRef(db, inc.instance, inc.minute),
        {
          scope: inc.instance,
          kind: kindOfInstance(inc.instance),
          ...(inc.team ? { team: inc.team } : {}),
          minute: inc.minute,
          micros: inc$(inc.micros),
          events: inc$(inc.events),
          models: Object.fromEntries(Object.entries(inc.models).map(([m, v]) => [m, inc$(v)])),
          calls: Object.fromEntries(Object.entries(inc.calls).map(([k, v]) => [k, inc$(v)])),
          [TTL_FIELD]: Timestamp.fromMillis(inc.minute + RETENTION_MILLISECONDS),
        },
        { merge: true },
      );
    }
    batches.push(batch.commit());
  }
  await Promise.all(batches);
  return increments.length;
}

/** One (scope instance, minute) as stored: the sum of every aggregator instance's increments. */
export interface BurnMinute {
  scope: string;
  team?: string;
  minute: number;
  micros: number;
  events: number;
  models: Record<string, number>;
  calls: Record<string, number>;
}

function minuteOf(data: Record<string, unknown>): BurnMinute {
  return {
    scope: data.scope as string,
    ...(data.team ? { team: data.team as string } : {}),
    minute: data.minute as number,
    micros: (data.micros as number | undefined) ?? 0,
    events: (data.events as number | undefined) ?? 0,
    models: (data.models as Record<string, number> | undefined) ?? {},
    calls: (data.calls as Record<string, number> | undefined) ?? {},
  };
}

/**
 * One scope instance's minutes from `fromMinute` to `toMinute` (inclusive), by document id: reads
 * a fixed number of documents (61 for an hour), however busy the instance. Missing minutes are 0.
 */
export async function readInstanceMinutes(db: Firestore, instance: string, fromMinute: number, toMinute: number): Promise<BurnMinute[]> {
  const refs = [];
  for (let m = fromMinute; m <= toMinute; m += 60_000) refs.push(burnMinuteRef(db, instance, m));
  if (refs.length === 0) return [];
  const snapshots = await db.getAll(...refs);
  return snapshots.map((s, i) => (s.exists ? minuteOf(s.data() as Record<string, unknown>) : { scope: instance, minute: fromMinute + i * 60_000, micros: 0, events: 0, models: {}, calls: {} }));
}

/** Every scope instance's minutes since `fromMinute` (the budget tick: reads one document per active instance and minute). */
export async function readRecentMinutes(db: Firestore, fromMinute: number): Promise<BurnMinute[]> {
  const snapshot = await db.collection(COLLECTIONS.burnMinutes).where('minute', '>=', fromMinute).get();
  return snapshot.docs.map((d) => minuteOf(d.data()));
}

function peersRef(db: Firestore) {
  return db.collection(COLLECTIONS.burnBaselines).doc('peers');
}

/** The peers' baselines and the history they come from (none yet: empty). */
export async function readPeers(db: Firestore): Promise<{ history: PeerHistory; baselines: PeerBaselines; lastMinute: number }> {
  const snap = await peersRef(db).get();
  const data = snap.data() as { history?: StoredHistory; baselines?: PeerBaselines; lastMinute?: number } | undefined;
  return { history: historyOf(data?.history), baselines: data?.baselines ?? { fleet: 0, teams: {} }, lastMinute: data?.lastMinute ?? 0 };
}

export async function writePeers(db: Firestore, history: PeerHistory, baselines: PeerBaselines, lastMinute: number): Promise<void> {
  await peersRef(db).set({ history: storedHistory(history), baselines, lastMinute, updatedAt: FieldValue.serverTimestamp() });
}

// Firestore has no arrays of arrays: a series is stored as { "<minute>": median }.
type StoredHistory = { fleet: Record<string, number>; teams: Record<string, Record<string, number>> };
const seriesOf = (stored: Record<string, number> | undefined): [number, number][] => Object.entries(stored ?? {}).map(([m, v]) => [Number(m), v]);
const storedSeries = (series: [number, number][]) => Object.fromEntries(series.map(([m, v]) => [String(m), v]));
function historyOf(stored: StoredHistory | undefined): PeerHistory {
  return { fleet: seriesOf(stored?.fleet), teams: Object.fromEntries(Object.entries(stored?.teams ?? {}).map(([t, s]) => [t, seriesOf(s)])) };
}
function storedHistory(history: PeerHistory): StoredHistory {
  return { fleet: storedSeries(history.fleet), teams: Object.fromEntries(Object.entries(history.teams).map(([t, s]) => [t, storedSeries(s)])) };
}
