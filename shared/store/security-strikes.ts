import { AggregateField, FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import type { SecurityEvent } from '../contracts/security-event';
import { subjectKey, subjectsOf, type Subject } from '../security/ban-policy';
import { redactDetails } from '../security/redact';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';
import { containsHash, ID_HASH_BYTES, idHash } from './seen-ids';

export const STRIKE_DEFAULTS = {
  /** Strike documents are per minute: a find window sums at most findtime/60 of them. */
  sliceMilliseconds: 60_000,
  /** Events kept one by one per subject and minute; the rest are counted only (a flood stays cheap). */
  auditEventsPerSubjectMinute: 10,
  /** Hashes kept per strike document: enough to deduplicate up to a ban, bounded under a flood. */
  maxSeenIdsPerSlice: 200,
  retentionDays: 90,
} as const;

export interface StrikeCommitResult {
  /** Events new to the store (not redeliveries). */
  recorded: string[];
}

/** The document form of an event kept in the audit log: details redacted, no key material. */
export function auditRecord(event: SecurityEvent): Record<string, unknown> {
  const { details, ...payload } = event.payload;
  return { ...event, payload: { ...payload, ...(details ? { details: redactDetails(details) } : {}) }, at: Timestamp.fromDate(new Date(event.occurredAt)) };
}

/**
 * Records a batch of security events in one transaction: per (subject, minute) a strike document
 * gets the counts by kind and the hashes of the event ids (so redeliveries count once), the first
 * few events per subject and minute are kept whole in the audit collection, and subject-less
 * events are always kept whole. Writes grow with subjects and minutes, not with events.
 */
export async function commitSecurityEvents(db: Firestore, events: readonly SecurityEvent[], counted: (event: SecurityEvent) => boolean, now: Date): Promise<StrikeCommitResult> {
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const expireAt = Timestamp.fromMillis(now.getTime() + STRIKE_DEFAULTS.retentionDays * 86_400_000);
  const slices = new Map<string, { subject: Subject; sliceStart: number; events: SecurityEvent[] }>();
  const subjectless: SecurityEvent[] = [];
  for (const event of unique) {
    const subjects = subjectsOf(event.payload);
    if (subjects.length === 0) subjectless.push(event);
    const sliceStart = Math.floor(Date.parse(event.occurredAt) / STRIKE_DEFAULTS.sliceMilliseconds) * STRIKE_DEFAULTS.sliceMilliseconds;
    for (const subject of subjects) {
      const id = `${subjectKey(subject)}_${sliceStart}`;
      const slice = slices.get(id) ?? { subject, sliceStart, events: [] };
      slice.events.push(event);
      slices.set(id, slice);
    }
  }
  const sliceList = [...slices.entries()];
  const sliceRefs = sliceList.map(([id]) => db.collection(COLLECTIONS.securityStrikes).doc(id));
  const auditRefs = subjectless.map((e) => db.collection(COLLECTIONS.securityAudit).doc(e.eventId));

  return db.runTransaction(async (tx) => {
    const snaps = sliceRefs.length + auditRefs.length > 0 ? await tx.getAll(...sliceRefs, ...auditRefs) : [];
    const sliceSnaps = snaps.slice(0, sliceRefs.length);
    const auditSnaps = snaps.slice(sliceRefs.length);
    const duplicates = new Set<string>();
    auditSnaps.forEach((s, i) => s?.exists && duplicates.add(subjectless[i]!.eventId));
    // An event is a duplicate when any strike slice it belongs to has seen it.
    sliceList.forEach(([, slice], i) => {
      const seen = (sliceSnaps[i]?.get('seenIds') as Buffer | undefined) ?? Buffer.alloc(0);
      for (const e of slice.events) if (containsHash(seen, idHash(e.eventId))) duplicates.add(e.eventId);
    });

    sliceList.forEach(([, slice], i) => {
      const fresh = slice.events.filter((e) => !duplicates.has(e.eventId));
      if (fresh.length === 0) return;
      const snap = sliceSnaps[i];
      const before = (snap?.get('events') as number | undefined) ?? 0;
      const seen = (snap?.get('seenIds') as Buffer | undefined) ?? Buffer.alloc(0);
      const room = Math.max(0, STRIKE_DEFAULTS.maxSeenIdsPerSlice - seen.length / ID_HASH_BYTES);
      // Kinds are counted on the event's first subject only, so a report sums each event once.
      const counts = new Map<string, number>();
      for (const e of fresh) {
        const primary = subjectsOf(e.payload)[0];
        if (primary && subjectKey(primary) === subjectKey(slice.subject)) counts.set(e.payload.kind, (counts.get(e.payload.kind) ?? 0) + 1);
      }
      const kinds = Object.fromEntries([...counts].map(([kind, n]) => [kind, FieldValue.increment(n)]));
      const failures = fresh.filter(counted).length;
      tx.set(
        sliceRefs[i]!,
        {
          subjectType: slice.subject.type,
          subject: slice.subject.value,
          sliceStart: Timestamp.fromMillis(slice.sliceStart),
          events: FieldValue.increment(fresh.length),
          failures: FieldValue.increment(failures),
          kinds,
          seenIds: Buffer.concat([seen, ...fresh.slice(0, room).map((e) => idHash(e.eventId))]),
          writes: FieldValue.increment(1),
          [TTL_FIELD]: expireAt,
        },
        { merge: true },
      );
      // The first events of a subject's minute are kept whole for the audit log.
      for (const e of fresh.slice(0, Math.max(0, STRIKE_DEFAULTS.auditEventsPerSubjectMinute - before))) {
        tx.set(db.collection(COLLECTIONS.securityAudit).doc(e.eventId), { ...auditRecord(e), [TTL_FIELD]: expireAt });
      }
    });
    subjectless.forEach((e, i) => {
      if (duplicates.has(e.eventId) || auditSnaps[i]?.exists) return;
      tx.create(auditRefs[i]!, { ...auditRecord(e), [TTL_FIELD]: expireAt });
    });
    return { recorded: unique.filter((e) => !duplicates.has(e.eventId)).map((e) => e.eventId) };
  });
}

/** Failures of a subject whose minute slices start within the find window. */
export async function failuresWithin(db: Firestore, subject: Subject, findtimeSeconds: number, now: Date): Promise<number> {
  const from = Math.floor((now.getTime() - findtimeSeconds * 1000) / STRIKE_DEFAULTS.sliceMilliseconds) * STRIKE_DEFAULTS.sliceMilliseconds;
  const snapshot = await db
    .collection(COLLECTIONS.securityStrikes)
    .where('subjectType', '==', subject.type)
    .where('subject', '==', subject.value)
    .where('sliceStart', '>=', Timestamp.fromMillis(from))
    .aggregate({ failures: AggregateField.sum('failures') })
    .get();
  return snapshot.data().failures ?? 0;
}
