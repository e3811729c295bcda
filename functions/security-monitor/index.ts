import type { HttpFunction } from '@google-cloud/functions-framework';
import type { SecurityEvent } from '../../shared/contracts/security-event';
import type { SecurityAlert } from '../../shared/contracts/security-alert';
import { createLogger } from '../../shared/logging/logger';
import { BanCache } from '../../shared/security/ban-cache';
import { countsAsFailure, isAllowListed, subjectKey, subjectsOf, type BanPolicy, type Subject } from '../../shared/security/ban-policy';
import { addSuppressed, applyBan } from '../../shared/store/bans-store';
import { loadBanPolicy } from '../../shared/store/security-policy-store';
import { auditRecord, commitSecurityEvents, failuresWithin, type StrikeCommitResult } from '../../shared/store/security-strikes';
import { loadTopology } from '../../shared/topology/topology';
import { firestore, pubsub } from '../common/clients';
import { cachedConfig } from '../common/cached-config';
import { Coalescer } from '../common/coalescer';
import { maybeInjectFault } from '../common/fault-injection';
import { GroupCommitter } from '../common/group-commit';
import { governorEvents, pubsubConsumer } from '../common/pubsub-consumer';
import { settings } from '../common/settings';
import { LRUCache } from 'lru-cache';
import { LogLimiter } from './log-limiter';

/** How often events dropped for banned subjects are added to their ban documents. */
const SUPPRESSED_FLUSH_MILLISECONDS = 5_000;

/**
 * Consumes security events, fail2ban-style: records each (strike counts per subject and minute,
 * the audit log), and bans an IP or user whose failures within the find time reach maxretry —
 * with escalation, a recidive jail and an allow-list. Events of already banned subjects are only
 * counted (in memory, written every 5 s): a flood costs almost no writes once the ban exists.
 */
export function createSecurityMonitor(): HttpFunction {
  const rate = settings().faultRate;
  const log = createLogger({ component: 'security-monitor' });
  const decodeSecurityEvent = governorEvents('security');
  const alertsTopic = loadTopology().topics.alerts;
  const logLimiter = new LogLimiter(20);
  // A stricter policy (a lower maxretry, a longer find time) is applied at once to the subjects
  // whose failures this instance recorded, not first at their next failure.
  const banPolicy = cachedConfig(() => loadBanPolicy(firestore()), log, 'ban policy', {
    onChange: async ({ config }) => {
      // Only subjects with a failure inside the new find window can be due; the others cost no query.
      const since = Date.now() - config.findtimeSeconds * 1000;
      const subjects = [...localFailures.values()].filter((entry) => entry.times.some((t) => t > since)).map((entry) => JSON.stringify(entry.subject));
      if (subjects.length > 0) await banChecks.request(subjects);
    },
  });
  const policy = async (): Promise<BanPolicy> => (await banPolicy()).config;

  let bans: Promise<BanCache> | undefined;
  const banCache = () => (bans ??= new BanCache(firestore()).start());

  const suppressed = new Map<string, { subject: Subject; count: number }>();
  setInterval(() => {
    const batch = [...suppressed.values()];
    suppressed.clear();
    for (const { subject, count } of batch) {
      addSuppressed(firestore(), subject, count).catch((error: unknown) => log.error({ err: error, subject }, 'could not record suppressed events'));
    }
  }, SUPPRESSED_FLUSH_MILLISECONDS).unref();

  const committer = new GroupCommitter<SecurityEvent, StrikeCommitResult>(
    async (events) => {
      const p = await policy();
      return commitSecurityEvents(firestore(), events, (e) => countsAsFailure(p, e.payload.kind), new Date());
    },
    // One at a time: two transactions reading and writing the same strike document deadlock until
    // one times out (measured: a 2 s stall on the emulator); concurrent requests share the next commit.
    { maxItems: 200, maxConcurrent: 1 },
  );

  /**
   * Failures this instance recorded per subject (times, ms): when they alone reach maxretry the
   * ban needs no count query — they are a lower bound of the subject's failures everywhere.
   */
  const localFailures = new LRUCache<string, { subject: Subject; times: number[] }>({ max: 10_000 });

  /** This instance's failures of a subject within the find window ending at `at`. */
  function recentLocalFailures(subject: Subject, at: number, findtimeSeconds: number): number[] {
    return (localFailures.get(subjectKey(subject))?.times ?? []).filter((t) => t > at - findtimeSeconds * 1000);
  }

  function noteFailure(subject: Subject, at: number, findtimeSeconds: number): void {
    localFailures.set(subjectKey(subject), { subject, times: [...recentLocalFailures(subject, at, findtimeSeconds), at] });
  }

  /** Ban checks, coalesced per subject: a burst of failures costs one check per round. */
  const banChecks = new Coalescer<string>(async (keys) => {
    const p = await policy();
    const cache = await banCache();
    await Promise.all(
      [...keys].map(async (key) => {
        const subject = JSON.parse(key) as Subject;
        if (cache.status(subject).banned || isAllowListed(p, subject)) return;
        const now = new Date();
        const local = recentLocalFailures(subject, now.getTime(), p.findtimeSeconds).length;
        const failures = local >= p.maxretry ? local : await failuresWithin(firestore(), subject, p.findtimeSeconds, now);
        const ban = await applyBan(firestore(), p, subject, failures, now);
        if (!ban) return;
        cache.remember(subject, ban.expiresAt.toDate(), ban.reason);
        const alert: SecurityAlert = {
          schemaVersion: 1,
          alertId: `ban_${subjectKey(subject)}_${ban.bannedAt.toMillis()}`,
          kind: 'security',
          status: 'BANNED',
          severity: ban.level === 'recidive' ? 'CRITICAL' : 'WARNING',
          subjectType: subject.type,
          subject: subject.value,
          level: ban.level,
          offense: ban.offense,
          until: ban.expiresAt.toDate().toISOString(),
          reason: ban.reason,
          at: now.toISOString(),
        };
        log.warn({ subject, until: alert.until, level: ban.level, offense: ban.offense, reason: ban.reason }, `${subject.type} banned`);
        await pubsub().topic(alertsTopic).publishMessage({ json: alert, attributes: { alertId: alert.alertId, kind: 'security', severity: alert.severity } });
      }),
    );
  });

  function logEvent(event: SecurityEvent): void {
    const key = subjectsOf(event.payload).map(subjectKey).join('|') || `kind_${event.payload.kind}`;
    const { log: admitted, suppressedBefore } = logLimiter.admit(key, Date.now());
    if (suppressedBefore > 0) log.warn({ subject: key, suppressed: suppressedBefore }, 'security events from this subject were counted but not logged one by one last minute');
    if (!admitted) return;
    const record = auditRecord(event);
    const level = event.payload.severity === 'CRITICAL' ? 'error' : event.payload.severity === 'WARNING' ? 'warn' : 'info';
    log[level]({ securityEvent: { ...record, at: undefined } }, `security event ${event.payload.kind}`);
  }

  return pubsubConsumer({
    target: 'securityMonitor',
    decode: decodeSecurityEvent,
    async handle(event) {
      maybeInjectFault('before-commit', rate);
      const subjects = subjectsOf(event.payload);
      const cache = await banCache();
      if (subjects.length > 0 && subjects.every((s) => cache.status(s).banned)) {
        const first = subjects[0] as Subject;
        const entry = suppressed.get(subjectKey(first)) ?? { subject: first, count: 0 };
        entry.count += 1;
        suppressed.set(subjectKey(first), entry);
        return;
      }
      logEvent(event);
      const result = await committer.submit(event);
      const p = await policy();
      // Redeliveries check too: the first delivery may have crashed between its commit and its check.
      if (countsAsFailure(p, event.payload.kind)) {
        if (result.recorded.includes(event.eventId)) for (const s of subjects) noteFailure(s, Date.parse(event.occurredAt), p.findtimeSeconds);
        // Not awaited: the event is safely recorded, and the next one should not wait for the check
        // (every later failure checks again, and a failed check is logged).
        banChecks.request(subjects.map((s) => JSON.stringify(s))).catch((error: unknown) => log.error({ err: error, subjects }, 'ban check failed; the next failure checks again'));
      }
      maybeInjectFault('after-commit', rate);
    },
  });
}
