import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from '../basics/collections';
import type { SecurityEventKind } from '../contracts/vocabulary';
import { SECURITY_EVENT_KINDS } from '../contracts/vocabulary';
import { banView, listBans, type BanView } from '../store/bans-store';

export interface SecurityReport {
  hours: number;
  from: string;
  to: string;
  events: number;
  byKind: Record<SecurityEventKind, number>;
  topIps: { ip: string; events: number; failures: number }[];
  topUsers: { userId: string; events: number; failures: number }[];
  bans: BanView[];
  rotations: { at: string; apiKeyId?: string; details?: Record<string, unknown> }[];
}

const TOP = 10;

/** Counts by type, top IPs and users, bans and key rotations over the last `hours`. */
export async function securityReport(db: Firestore, hours = 24, now: Date = new Date()): Promise<SecurityReport> {
  const from = new Date(now.getTime() - hours * 3_600_000);
  const [strikes, audit, bans] = await Promise.all([
    // Only the counts: a strike document also carries up to 1.6 KB of event-id hashes.
    db.collection(COLLECTIONS.securityStrikes).where('sliceStart', '>=', Timestamp.fromDate(from)).select('subjectType', 'subject', 'events', 'failures', 'kinds').get(),
    db.collection(COLLECTIONS.securityAudit).where('at', '>=', Timestamp.fromDate(from)).get(),
    listBans(db),
  ]);
  const byKind = Object.fromEntries(SECURITY_EVENT_KINDS.map((k) => [k, 0])) as Record<SecurityEventKind, number>;
  const subjects = new Map<string, { type: string; value: string; events: number; failures: number }>();
  for (const doc of strikes.docs) {
    const d = doc.data() as { subjectType: string; subject: string; events?: number; failures?: number; kinds?: Record<string, number> };
    for (const [kind, n] of Object.entries(d.kinds ?? {})) byKind[kind as SecurityEventKind] = (byKind[kind as SecurityEventKind] ?? 0) + n;
    const key = `${d.subjectType}:${d.subject}`;
    const s = subjects.get(key) ?? { type: d.subjectType, value: d.subject, events: 0, failures: 0 };
    s.events += d.events ?? 0;
    s.failures += d.failures ?? 0;
    subjects.set(key, s);
  }
  const rotations: SecurityReport['rotations'] = [];
  for (const doc of audit.docs) {
    const payload = doc.get('payload') as { kind: SecurityEventKind; ip?: string; userId?: string; apiKeyId?: string; details?: Record<string, unknown> };
    // Events with a subject are already counted in the strikes.
    if (!payload.ip && !payload.userId) byKind[payload.kind] += 1;
    if (payload.kind === 'API_KEY_ROTATION') rotations.push({ at: (doc.get('at') as Timestamp).toDate().toISOString(), apiKeyId: payload.apiKeyId, details: payload.details });
  }
  const top = (type: string) => [...subjects.values()].filter((s) => s.type === type).sort((a, b) => b.failures - a.failures || b.events - a.events).slice(0, TOP);
  return {
    hours,
    from: from.toISOString(),
    to: now.toISOString(),
    events: Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind,
    topIps: top('ip').map((s) => ({ ip: s.value, events: s.events, failures: s.failures })),
    topUsers: top('user').map((s) => ({ userId: s.value, events: s.events, failures: s.failures })),
    bans: bans
      .filter((b) => b.bannedAt.toMillis() >= from.getTime() || b.expiresAt.toMillis() > now.getTime())
      .map((b) => banView(b, now)),
    rotations: rotations.sort((a, b) => a.at.localeCompare(b.at)),
  };
}
