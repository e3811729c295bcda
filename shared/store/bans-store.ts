import { FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import { decideBan, subjectKey, type BanPolicy, type Subject } from '../security/ban-policy';
import type { BanRecord } from '../security/ban-record';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';

export function banRef(db: Firestore, subject: Subject) {
  return db.collection(COLLECTIONS.bans).doc(subjectKey(subject));
}

/**
 * Bans a subject if its failures call for it and it is not banned already — in a transaction, so
 * concurrent evaluators ban once. The document outlives the ban (TTL after the recidive window),
 * keeping the history that escalates the next one; `expiresAt` makes the ban lapse by itself.
 */
export async function applyBan(db: Firestore, policy: BanPolicy, subject: Subject, failures: number, now: Date): Promise<BanRecord | undefined> {
  const ref = banRef(db, subject);
  return db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).data() as BanRecord | undefined;
    if (current && current.expiresAt.toMillis() > now.getTime()) return undefined;
    const history = (current?.history ?? []).filter((t) => t > now.getTime() - Math.max(policy.recidive.findtimeSeconds, policy.maxBantimeSeconds) * 1000);
    const decision = decideBan(policy, subject, failures, { bans: history }, now.getTime());
    if (!decision) return undefined;
    const expiresAt = Timestamp.fromMillis(now.getTime() + decision.durationSeconds * 1000);
    const record: BanRecord = {
      subjectType: subject.type,
      subject: subject.value,
      expiresAt,
      bannedAt: Timestamp.fromDate(now),
      level: decision.level,
      offense: decision.offense,
      reason: `${failures} failures within ${policy.findtimeSeconds} s (maxretry ${policy.maxretry})${decision.level === 'recidive' ? '; recidive' : ''}`,
      history: [...history, now.getTime()],
      suppressedEvents: 0,
    };
    tx.set(ref, { ...record, [TTL_FIELD]: Timestamp.fromMillis(expiresAt.toMillis() + policy.recidive.findtimeSeconds * 1000) });
    return record;
  });
}

/** Ends an active ban now (the history stays, so a repeat offender still escalates). */
export async function liftBan(db: Firestore, subject: Subject, by: string, now: Date = new Date()): Promise<boolean> {
  const ref = banRef(db, subject);
  return db.runTransaction(async (tx) => {
    const current = (await tx.get(ref)).data() as BanRecord | undefined;
    if (!current || current.expiresAt.toMillis() <= now.getTime()) return false;
    tx.update(ref, { expiresAt: Timestamp.fromDate(now), liftedAt: Timestamp.fromDate(now), liftedBy: by });
    return true;
  });
}

/** Adds to a ban's count of events dropped while it was active (one write per flush). */
export async function addSuppressed(db: Firestore, subject: Subject, count: number): Promise<void> {
  await banRef(db, subject).update({ suppressedEvents: FieldValue.increment(count), suppressedWrites: FieldValue.increment(1) });
}

export async function listBans(db: Firestore, options: { activeOnly?: boolean; now?: Date } = {}): Promise<BanRecord[]> {
  const now = options.now ?? new Date();
  const query = options.activeOnly
    ? db.collection(COLLECTIONS.bans).where('expiresAt', '>', Timestamp.fromDate(now))
    : db.collection(COLLECTIONS.bans);
  const snapshot = await query.get();
  return snapshot.docs.map((d) => d.data() as BanRecord);
}

/** A ban as reports and the CLI show it: times as ISO strings, whether it is in force at `now`. */
export interface BanView {
  subjectType: string;
  subject: string;
  bannedAt: string;
  until: string;
  active: boolean;
  level: string;
  offense: number;
  reason: string;
  suppressedEvents: number;
  liftedAt?: string;
}

export function banView(b: BanRecord, now: Date): BanView {
  return {
    subjectType: b.subjectType,
    subject: b.subject,
    bannedAt: b.bannedAt.toDate().toISOString(),
    until: b.expiresAt.toDate().toISOString(),
    active: b.expiresAt.toMillis() > now.getTime(),
    level: b.level,
    offense: b.offense,
    reason: b.reason,
    suppressedEvents: b.suppressedEvents ?? 0,
    ...(b.liftedAt ? { liftedAt: b.liftedAt.toDate().toISOString() } : {}),
  };
}
