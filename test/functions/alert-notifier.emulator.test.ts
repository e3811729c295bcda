import type { AlertRoute } from '../../shared/alerts/alert-routing';
import { withBudget } from '../../shared/budget/budget-config';
import { periodOf } from '../../shared/basics/period';
import { deliveryKeyOf, type Alert } from '../../shared/contracts/alert';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { createPublisher } from '../../shared/publisher/publisher';
import { updateAlertRouting } from '../../shared/store/alert-routing-store';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { COLLECTIONS } from '../../shared/basics/collections';
import { deadLetterTopicOf, pushPathFor } from '../../shared/topology/topology';
import type { CaughtEmail, MailCatcher } from '../../bin/stack/mail-catcher';
import { budgetAlert, performanceAlert, securityAlert } from '../support/alert-fixtures';
import { readSpendTotals } from '../support/spend-helpers';
import { governorCli } from '../support/governor-cli';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const route = (id: string, match: Partial<AlertRoute> = {}): AlertRoute => ({ id, kinds: [], severities: [], categories: [], scopes: [], to: [`${id}@example.com`], ...match });
const alertIdsOf = (email: CaughtEmail) => String(email.headers['x-governor-alert-ids'] ?? '').split(/,\s*/).map((s) => s.trim()).filter(Boolean);

describe('alert email on the local stack (real SMTP server: maildev)', () => {
  let stack: TestStack;
  let mail: MailCatcher;

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator', 'alert-notifier', 'alert-digest'], mailCatcher: true, functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    mail = stack.mailCatcher as MailCatcher;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const setRouting = (routes: AlertRoute[], digestWindowSeconds: number) => updateAlertRouting(stack.db, () => ({ from: 'governor@example.com', routes, digestWindowSeconds }));
  const publishAlert = (alert: Alert) => stack.pubsub.topic(stack.topology.topics.alerts).publishMessage({ json: alert });
  const publishTick = (body: unknown) => stack.pubsub.topic(stack.topology.topics.alertTicks).publishMessage({ json: body });
  const emailsTo = async (address: string) => (await mail.emails()).filter((e) => e.to.some((t) => t.address === address));
  const waitForEmails = (address: string, count: number, timeoutMilliseconds = 30_000) => waitFor(() => emailsTo(address), (e) => e.length >= count, timeoutMilliseconds, `${count} email(s) to ${address}`);
  const delivery = async (routeId: string, alert: Alert) => (await stack.db.collection(COLLECTIONS.alertDeliveries).doc(`${routeId}_${deliveryKeyOf(alert)}`).get()).data();
  const digestTicksLogged = () => stack.logs.filter((l) => l.startsWith('[alert-digest]') && l.includes('alert digest tick')).length;

  it('emails an alert as text and HTML with its subject, sender, recipients and headers', async () => {
    await setRouting([route('basic')], 60);
    const alert = budgetAlert();
    await publishAlert(alert);
    const [email] = await waitForEmails('basic@example.com', 1);
    expect(email?.subject).toBe('[Governor WARNING] total budget at 85.0% ($8.50 of $10.00) — threshold 80.0% crossed');
    expect(email?.from.map((f) => f.address)).toEqual(['governor@example.com']);
    expect(email?.headers).toMatchObject({ 'x-governor-route': 'basic', 'auto-submitted': 'auto-generated' });
    expect(alertIdsOf(email as CaughtEmail)).toEqual([alert.alertId]);
    expect(email?.text).toContain('Spent: $8.50 of $10.00 in 2026-11, $1.50 left');
    expect(email?.text).toContain('npx governor budget status');
    expect(email?.html).toContain('<table>');
    expect(await delivery('basic', alert)).toMatchObject({ status: 'sent', attempts: 0 });
  });

  it('sends a redelivered alert once', async () => {
    await setRouting([route('dedup')], 0);
    const alert = securityAlert();
    // Three deliveries of one alert, as Pub/Sub redelivery makes them; then a marker alert behind them.
    await Promise.all([publishAlert(alert), publishAlert(alert), publishAlert(alert)]);
    await waitFor(() => delivery('dedup', alert), (d) => d?.status === 'sent', 30_000, 'first alert sent');
    const marker = securityAlert({ subject: '198.51.100.9' });
    await publishAlert(marker);
    await waitFor(() => delivery('dedup', marker), (d) => d?.status === 'sent' || d?.status === 'queued', 30_000, 'marker handled');
    await publishTick({ tick: 'alerts', flush: true });
    await waitFor(() => delivery('dedup', marker), (d) => d?.status === 'sent', 30_000, 'marker sent');
    const ids = (await emailsTo('dedup@example.com')).flatMap(alertIdsOf);
    expect(ids.filter((id) => id === alert.alertId)).toHaveLength(1);
    expect(ids.filter((id) => id === marker.alertId)).toHaveLength(1);
  });

  it('groups a burst of 100 alerts into a handful of digests, each alert listed once', async () => {
    await setRouting([route('burst')], 60);
    const alerts = Array.from({ length: 100 }, (_, i) => performanceAlert({ value: 2000 + i }));
    await Promise.all(alerts.map(publishAlert));
    const deliveries = () => stack.db.collection(COLLECTIONS.alertDeliveries).where('routeId', '==', 'burst').get();
    await waitFor(async () => (await deliveries()).size, (n) => n === 100, 60_000, '100 deliveries recorded');
    // Within the window only the first email went out; the scheduled tick leaves the rest queued.
    const ticksBefore = digestTicksLogged();
    await publishTick({ tick: 'alerts' });
    await waitFor(async () => digestTicksLogged(), (n) => n > ticksBefore, 30_000, 'digest tick');
    expect(await emailsTo('burst@example.com')).toHaveLength(1);
    // A flush tick asked for before that email and delivered again now (Pub/Sub redelivers): the window holds.
    const digest = stack.functions.find((f) => f.spec.name === 'alert-digest')!;
    const staleFlush = { data: Buffer.from(JSON.stringify({ tick: 'alerts', flush: true })).toString('base64'), attributes: {}, messageId: 'stale-flush', publishTime: new Date(Date.now() - 3_600_000).toISOString() };
    const pushed = await fetch(`${digest.url}${pushPathFor(stack.projectId, stack.topology.topics.alertTicks)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: staleFlush, subscription: 'redelivery' }) });
    expect(pushed.status).toBe(204);
    expect(await emailsTo('burst@example.com')).toHaveLength(1);

    await publishTick({ tick: 'alerts', flush: true });
    await waitFor(async () => (await deliveries()).docs.filter((d) => d.get('status') === 'sent').length, (n) => n === 100, 60_000, 'all 100 sent');
    const emails = await emailsTo('burst@example.com');
    expect(emails).toHaveLength(3);
    const listed = emails.flatMap(alertIdsOf).map((key) => key.replace(/_RAISED$/, ''));
    expect(new Set(listed).size).toBe(100);
    expect(listed.sort()).toEqual(alerts.map((a) => a.alertId).sort());
    const digests = emails.filter((e) => /\[Governor WARNING\] \d+ alerts: /.test(e.subject));
    expect(digests.map((e) => alertIdsOf(e).length).sort()).toEqual([49, 50]);
    expect(digests[0]?.text).toMatch(/^\d+ alerts since the last email:/);
  });

  it('routes by severity and kind to each matching route', async () => {
    await setRouting([route('ops'), route('sec', { kinds: ['security'], severities: ['CRITICAL'] })], 0);
    const critical = securityAlert({ severity: 'CRITICAL' });
    const warning = securityAlert({ severity: 'WARNING', subject: '192.0.2.44' });
    await publishAlert(critical);
    await waitForEmails('sec@example.com', 1);
    await publishAlert(warning);
    await waitFor(() => delivery('ops', warning), (d) => d?.status === 'sent', 30_000, 'warning to ops');
    expect((await emailsTo('ops@example.com')).flatMap(alertIdsOf).sort()).toEqual([critical.alertId, warning.alertId].sort());
    expect((await emailsTo('sec@example.com')).flatMap(alertIdsOf)).toEqual([critical.alertId]);
    expect(await delivery('sec', warning)).toBeUndefined();
  });

  it('keeps retrying while the SMTP server is down and delivers once it is back', async () => {
    await setRouting([route('outage')], 0);
    await mail.stop();
    const alert = budgetAlert({ severity: 'CRITICAL', alertThresholdExceeded: 0.95, costMicros: 9_600_000 });
    await publishAlert(alert);
    const failed = await waitFor(() => delivery('outage', alert), (d) => (d?.attempts ?? 0) >= 1, 30_000, 'a failed attempt');
    expect(failed?.lastError).toMatch(/ECONNREFUSED/);
    await mail.start();
    await waitFor(() => delivery('outage', alert), (d) => d?.status === 'sent', 30_000, 'sent after the outage');
    const emails = await emailsTo('outage@example.com');
    expect(emails.flatMap(alertIdsOf)).toEqual([alert.alertId]);
    expect(emails[0]?.subject).toMatch(/^\[Governor CRITICAL\] total budget at 96\.0%/);
  });

  it('dead-letters an alert with the reason once its delivery attempts are spent, and replays it once SMTP is back', async () => {
    await setRouting([route('dead')], 0);
    const governor = governorCli(() => stack.clientEnv);
    const deadLetters = async () => JSON.parse((await governor('dead-letters', '--topic', 'alerts', '--json')).stdout) as { failure: string; reason: string; consumer: string; body: string }[];
    await mail.stop();
    const alert = performanceAlert({ severity: 'CRITICAL' });
    try {
      await publishAlert(alert);
      const [view] = await waitFor(deadLetters, (v) => v.length >= 1, 90_000, 'dead letter');
      expect(view).toMatchObject({ failure: 'email-undeliverable', consumer: 'alert-notifier' });
      expect(view?.reason).toMatch(/^email to route dead failed 5 times; last error: SMTP 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      expect(view?.body).toContain(`"alertId":"${alert.alertId}"`);
      expect(await delivery('dead', alert)).toMatchObject({ status: 'dead-lettered', attempts: 5 });
      // Acked once dead-lettered: Pub/Sub adds no copy of its own.
      expect(await deadLetters()).toHaveLength(1);
    } finally {
      await mail.start();
    }
    expect((await governor('dead-letters', '--topic', 'alerts', '--replay')).stdout).toBe(`1 message(s) published to ${stack.topology.topics.alerts} again\n`);
    await waitFor(() => delivery('dead', alert), (d) => d?.status === 'sent', 30_000, 'replayed alert sent');
    expect((await emailsTo('dead@example.com')).flatMap(alertIdsOf)).toEqual([`${alert.alertId}_RAISED`]);
    expect(await deadLetters()).toEqual([]);
  }, 150_000); // five delivery attempts with Pub/Sub's backoff: slow by design, slower on a loaded CI machine

  it('dead-letters messages that are not alerts, with the reason', async () => {
    const deadLetters = stack.collectDeadLetters(deadLetterTopicOf(stack.topology.topics.alerts));
    const topic = stack.pubsub.topic(stack.topology.topics.alerts);
    await topic.publishMessage({ data: Buffer.from('not json') });
    await topic.publishMessage({ json: { ...budgetAlert(), costMicros: -1 } });
    await topic.publishMessage({ json: { kind: 'weather' } });
    await waitFor(async () => deadLetters.messages.length, (n) => n >= 3, 30_000, '3 dead letters');
    await deadLetters.close();
    const reasons = deadLetters.messages.map((m) => `${m.attributes[DEAD_LETTER_ATTRIBUTES.failure]}: ${m.attributes[DEAD_LETTER_ATTRIBUTES.reason]}`).sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^not-json: body is not JSON/),
      'schema: not an alert: costMicros: Too small: expected number to be >=0',
      'schema: not an alert: kind: expected one of budget, forecast, performance, security, pricing, runaway, got "weather"',
    ]);
  });

  it('emails exactly once when spend on the stack crosses 80 % of a budget', async () => {
    await setRouting([route('budget', { kinds: ['budget', 'forecast'] })], 60);
    await updateBudgetConfig(stack.db, (c) => withBudget(c, 'TOTAL', 10_000_000));
    const period = periodOf(new Date()).id;
    const publisher = createPublisher({ projectId: stack.projectId, source: 'alert-e2e', exitHook: false });
    try {
      // $8.55 in nine events: past 80 % once, short of 95 %.
      for (let i = 0; i < 9; i++) publisher.recordCost({ category: 'AI_API_CALLS', amountMicros: 950_000 });
      await publisher.flush();
      const [email] = await waitForEmails('budget@example.com', 1, 60_000);
      expect(email?.subject).toMatch(/^\[Governor WARNING\] total budget at \d+\.\d% \(\$\d+\.\d\d of \$10\.00\) — threshold 80\.0% crossed$/);
      // More spend under 95 % raises nothing new.
      for (let i = 0; i < 3; i++) publisher.recordCost({ category: 'AI_API_CALLS', amountMicros: 100_000 });
      await publisher.flush();
      await waitFor(async () => (await readSpendTotals(stack.db, period, ['AI_API_CALLS'])).AI_API_CALLS, (n) => n === 8_850_000, 30_000, 'spend counted');
      const ticks = digestTicksLogged();
      await publishTick({ tick: 'alerts', flush: true });
      await waitFor(async () => digestTicksLogged(), (n) => n > ticks, 30_000, 'digest tick');
      expect(await emailsTo('budget@example.com')).toHaveLength(1);
    } finally {
      await publisher.close();
    }
  });

  it('shows and sets the routing from the CLI, refusing bad routing with the field named, and lists deliveries', async () => {
    const governor = governorCli(() => stack.clientEnv);
    const dir = mkdtempSync(join(tmpdir(), 'governor-routing-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ from: 'governor@example.com', digestWindowSeconds: 60, routes: [{ id: 'ops', to: ['not-an-address'] }] }));
    const refused = await governor('alerts', 'routing', 'set', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('routes.0.to.0: an e-mail address');

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ from: 'governor@example.com', digestWindowSeconds: 30, routes: [{ id: 'pager', severities: ['CRITICAL'], to: ['pager@example.com'] }] }));
    expect((await governor('alerts', 'routing', 'set', good)).stdout).toBe('1 route(s) in force\n');
    const shown = await governor('alerts', 'routing');
    expect(shown.stdout).toContain('pager: severity CRITICAL → pager@example.com');
    expect(shown.stdout).toContain('every 30 s');

    const listed = await governor('alerts', 'deliveries', '--status', 'sent', '--limit', '1000', '--json');
    expect(listed.status).toBe(0);
    const rows = JSON.parse(listed.stdout) as { route: string; status: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(100);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.find((r) => r.route === 'dead')).toMatchObject({ kind: 'performance', lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect((await governor('alerts', 'deliveries', '--status', 'lost')).stderr).toContain('--status must be one of queued, sending, sent, dead-lettered');
    expect((await governor('alerts', 'flush')).stdout).toMatch(/^flush published/);
  });
});
