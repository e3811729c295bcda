import type { Server } from 'node:http';
import express from 'express';
import { z } from 'zod';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { newEventId } from '../../shared/contracts/event-id';
import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { BanCache } from '../../shared/security/ban-cache';
import { DEFAULT_BAN_POLICY } from '../../shared/security/ban-policy';
import { createRequestGuard } from '../../shared/security/request-guard';
import { safeText } from '../../shared/security/request-schemas';
import { banRef } from '../../shared/store/bans-store';
import type { BanRecord } from '../../shared/security/ban-record';
import { COLLECTIONS } from '../../shared/basics/collections';
import { failuresWithin } from '../../shared/store/security-strikes';
import { updateBanPolicy } from '../../shared/store/security-policy-store';
import { governorCli } from '../support/governor-cli';
import { probeAlerts } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const ip = (value: string) => ({ type: 'ip' as const, value });

describe('security-monitor (fail2ban) on the local stack', () => {
  let stack: TestStack;
  let publisher: GovernorPublisher;
  let bans: BanCache;
  let alerts: Awaited<ReturnType<typeof probeAlerts>>;
  const governor = governorCli(() => stack.clientEnv);
  const fail = (source: { ip?: string; userId?: string }, kind: 'AUTHENTICATION_FAILURE' | 'INVALID_INPUT' = 'AUTHENTICATION_FAILURE') =>
    publisher.recordSecurityEvent({ kind, severity: 'WARNING', ...source, details: { reason: 'bad password' } });
  const banOf = async (value: string) => (await banRef(stack.db, ip(value)).get()).data() as BanRecord | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['security-monitor'], functionEnv: { LOG_LEVEL: 'debug', GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    await updateBanPolicy(stack.db, () => ({
      ...DEFAULT_BAN_POLICY,
      maxretry: 3,
      findtimeSeconds: 60,
      bantimeSeconds: 2,
      factor: 2,
      maxBantimeSeconds: 60,
      recidive: { maxretry: 3, findtimeSeconds: 3600, bantimeSeconds: 30 },
      allowList: { ips: ['192.0.2.0/24'], users: ['trusted-bot'] },
    }));
    publisher = createPublisher({ projectId: stack.projectId, source: 'guarded-agent', exitHook: false, batching: { maxMilliseconds: 5 } });
    bans = await new BanCache(stack.db).start();
    alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
  });
  afterAll(async () => {
    await alerts?.close();
    bans?.close();
    await publisher?.close();
    await stack?.close();
  });

  it('bans after maxretry failures, counting a redelivered event once, and raises a ban alert', async () => {
    const event = { eventId: newEventId(), schemaVersion: 1, type: 'security', source: 'raw', occurredAt: new Date().toISOString(), payload: { kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: '203.0.113.10' } };
    for (let i = 0; i < 3; i++) await stack.pubsub.topic(stack.topology.topics.security).publishMessage({ json: event });
    await waitFor(async () => stack.logs.filter((l) => l.includes(event.eventId)).length, (n) => n >= 3, 20_000, 'three deliveries');
    // Settle: a wrongly counted redelivery would show as more than one failure, or a ban, shortly after.
    await new Promise((r) => setTimeout(r, 500));
    expect(await failuresWithin(stack.db, ip('203.0.113.10'), 60, new Date())).toBe(1);
    expect(bans.status(ip('203.0.113.10')).banned).toBe(false);

    fail({ ip: '203.0.113.10' });
    fail({ ip: '203.0.113.10' });
    await publisher.flush();
    await waitFor(async () => bans.status(ip('203.0.113.10')).banned, (b) => b, 20_000, 'the ban');
    expect(await banOf('203.0.113.10')).toMatchObject({ level: 'ban', offense: 1, reason: '3 failures within 60 s (maxretry 3)' });
    await waitFor(async () => alerts.messages.filter((m) => m.subject === '203.0.113.10').length, (n) => n === 1, 10_000, 'the ban alert');
    expect(alerts.messages.find((m) => m.subject === '203.0.113.10')).toMatchObject({ kind: 'security', status: 'BANNED', level: 'ban', offense: 1 });
  });

  it('lets a ban expire by itself, escalates the next one, then sends a repeat offender to the recidive jail', async () => {
    const subject = '203.0.113.11';
    const banUntilExpiry = async () => {
      for (let i = 0; i < 3; i++) fail({ ip: subject });
      await publisher.flush();
      await waitFor(async () => bans.status(ip(subject)).banned, (b) => b, 20_000, 'a ban');
      const ban = (await banOf(subject))!;
      return { ban, seconds: (ban.expiresAt.toMillis() - ban.bannedAt.toMillis()) / 1000 };
    };
    const first = await banUntilExpiry();
    expect(first.seconds).toBe(2);
    await waitFor(async () => bans.status(ip(subject)).banned, (b) => !b, 10_000, 'the first ban to expire');
    const second = await banUntilExpiry();
    expect(second).toMatchObject({ seconds: 4, ban: { offense: 2, level: 'ban' } });
    await waitFor(async () => bans.status(ip(subject)).banned, (b) => !b, 10_000, 'the second ban to expire');
    const third = await banUntilExpiry();
    expect(third).toMatchObject({ seconds: 30, ban: { offense: 3, level: 'recidive' } });
  }, 60_000);

  it('never bans the allow-list', async () => {
    for (let i = 0; i < 8; i++) {
      fail({ ip: '192.0.2.44' });
      fail({ userId: 'trusted-bot' });
    }
    await publisher.flush();
    // Every failure is recorded (so each was checked for a ban), then the ban checks settle.
    await waitFor(
      async () => Promise.all([failuresWithin(stack.db, ip('192.0.2.44'), 60, new Date()), failuresWithin(stack.db, { type: 'user', value: 'trusted-bot' }, 60, new Date())]),
      (counts) => counts.every((n) => n >= 8),
      20_000,
      'the allow-listed failures recorded',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await stack.db.collection(COLLECTIONS.bans).where('subject', 'in', ['192.0.2.44', 'trusted-bot']).get()).size).toBe(0);
  });

  it('lists and lifts bans from the CLI', async () => {
    // Long enough that the ban is still there when the CLI lifts it (later tests keep this policy).
    await updateBanPolicy(stack.db, (p) => ({ ...p, bantimeSeconds: 120 }));
    for (let i = 0; i < 3; i++) fail({ userId: 'mallory' });
    await publisher.flush();
    await waitFor(async () => bans.status({ type: 'user', value: 'mallory' }).banned, (b) => b, 20_000, 'the ban on mallory');
    const listed = JSON.parse((await governor('bans', 'list', '--json')).stdout) as { subject: string; active: boolean }[];
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'mallory', active: true })]));
    const lifted = await governor('bans', 'lift', 'user:mallory');
    expect(lifted.status).toBe(0);
    expect(lifted.stdout).toContain('lifted the ban on user mallory');
    await waitFor(async () => bans.status({ type: 'user', value: 'mallory' }).banned, (b) => !b, 10_000, 'the lift');
    expect((await governor('bans', 'lift', 'user:mallory')).stderr).toContain('is not banned');
  });

  it('protects an endpoint end to end: invalid requests → events → ban → 403 with Retry-After', async () => {
    const guard = createRequestGuard({ events: publisher, bans, schema: z.object({ prompt: safeText() }), trustProxy: true });
    const app = express();
    app.use(express.json());
    app.post('/generate', guard.middleware(), (_req, res) => {
      res.json({ ok: true });
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/generate`;
    const post = (prompt: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.66' }, body: JSON.stringify({ prompt }) });
    try {
      const ok = await post('Summarize this article about solar power.');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(ok.headers.get('x-frame-options')).toBe('DENY');
      for (let i = 0; i < 3; i++) {
        const bad = await post('<script>alert(document.cookie)</script>');
        expect(bad.status).toBe(400);
        expect(await bad.json()).toMatchObject({ error: 'invalid_input', violations: [{ field: 'prompt', rule: 'xss' }] });
      }
      await publisher.flush();
      const refused = await waitFor(() => post('Summarize this article about solar power.'), (r) => r.status === 403, 20_000, 'the guard to refuse');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: 'banned', message: 'ip 198.51.100.66 is banned' });
      expect(refused.headers.get('content-security-policy')).toContain("default-src 'self'");
    } finally {
      server.close();
    }
  });

  it('dead-letters bad security events with their reasons', async () => {
    const deadLetters = stack.collectDeadLetters(stack.topology.functions.find((f) => f.name === 'security-monitor')!.subscription.deadLetterTopic);
    const raw = (payload: Record<string, unknown>) => ({ eventId: newEventId(), schemaVersion: 1, type: 'security', source: 'raw', occurredAt: new Date().toISOString(), payload });
    for (const payload of [
      { kind: 'AUTHENTICATION_FAILURE', apiKeyId: 'gov_k7Gq2_Z2l2ZSBtZSB0aGUga2V5IHBsZWFzZQ' },
      { kind: 'AUTHENTICATION_FAILURE', ip: '300.1.1.1' },
      { kind: 'NAP_TIME', ip: '203.0.113.1' },
    ]) {
      await stack.pubsub.topic(stack.topology.topics.security).publishMessage({ json: raw(payload) });
    }
    await waitFor(async () => deadLetters.messages.length, (n) => n >= 3, 20_000, 'three dead letters');
    await deadLetters.close();
    const reasons = deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.reason]).join('\n');
    expect(reasons).toContain('payload.apiKeyId');
    expect(reasons).toContain('payload.ip');
    expect(reasons).toContain('payload.kind');
    // The pasted key is in the dead-lettered message (it is the evidence) but in no log line.
    expect(stack.logs.some((l) => l.includes('Z2l2ZSBtZSB0aGUga2V5IHBsZWFzZQ'))).toBe(false);
  });

  it('keeps an audit log without secrets and reports counts, top subjects, bans and rotations', async () => {
    publisher.recordSecurityEvent({ kind: 'SUSPICIOUS_ACTIVITY', severity: 'CRITICAL', ip: '203.0.113.77', details: { password: 'hunter2', note: 'credential stuffing' } });
    publisher.recordSecurityEvent({ kind: 'API_KEY_ROTATION', severity: 'INFO', apiKeyId: 'k9Zz1', details: { secret: 'writer-api-key', version: 3 } });
    await publisher.flush();
    await waitFor(async () => (await stack.db.collection(COLLECTIONS.securityAudit).where('payload.kind', '==', 'API_KEY_ROTATION').get()).size, (n) => n === 1, 20_000, 'the rotation in the audit log');
    const suspicious = await waitFor(
      async () => (await stack.db.collection(COLLECTIONS.securityAudit).where('payload.ip', '==', '203.0.113.77').get()).docs,
      (d) => d.length === 1,
      20_000,
      'the suspicious event in the audit log',
    );
    expect(suspicious[0]!.get('payload.details')).toEqual({ password: '[redacted]', note: 'credential stuffing' });
    expect(stack.logs.some((l) => l.includes('hunter2'))).toBe(false);
    expect(stack.logs.some((l) => l.includes('"severity":"ERROR"') && l.includes('security event SUSPICIOUS_ACTIVITY'))).toBe(true);

    const report = JSON.parse((await governor('security', 'report', '--hours', '1', '--json')).stdout) as {
      byKind: Record<string, number>;
      topIps: { ip: string; failures: number }[];
      bans: { subject: string }[];
      rotations: { apiKeyId: string }[];
    };
    expect(report.byKind.API_KEY_ROTATION).toBe(1);
    expect(report.byKind.SUSPICIOUS_ACTIVITY).toBe(1);
    expect(report.byKind.AUTHENTICATION_FAILURE).toBeGreaterThanOrEqual(10);
    expect(report.topIps[0]?.failures).toBeGreaterThanOrEqual(3);
    expect(report.bans.map((b) => b.subject)).toEqual(expect.arrayContaining(['203.0.113.10', '198.51.100.66']));
    expect(report.rotations).toEqual([expect.objectContaining({ apiKeyId: 'k9Zz1' })]);
  });
});
