import type { AlertRoute } from '../../shared/alerts/alert-routing';
import type { MailCatcher } from '../../bin/stack/mail-catcher';
import { DEFAULT_BAN_POLICY } from '../../shared/security/ban-policy';
import { parseAlertRules } from '../../shared/metrics/alert-rules';
import { updateAlertRouting } from '../../shared/store/alert-routing-store';
import { banRef } from '../../shared/store/bans-store';
import { updateAlertRules } from '../../shared/store/metric-rules-store';
import { updateBanPolicy } from '../../shared/store/security-policy-store';
import { failuresWithin } from '../../shared/store/security-strikes';
import { metricStatistics } from '../../shared/reports/metrics-query';
import { securityAlert } from '../support/alert-fixtures';
import { probeAlerts } from '../support/spend-helpers';
import { stackWithPublisher } from '../support/stack-with-publisher';
import { waitFor } from '../support/test-stack';

// As on a warm production instance: each change below is stored while the function still holds
// the config it read for the event before it.
const CACHE_MILLISECONDS = 6_000;
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('other cached configs changed while an instance holds the old one (issue 21)', () => {
  const local = stackWithPublisher(
    {
      functions: ['security-monitor', 'metric-aggregator', 'alert-notifier'],
      mailCatcher: true,
      functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: String(CACHE_MILLISECONDS) },
    },
    'config-change-others',
  );

  it('bans a subject whose failures a stricter ban policy makes due, with no later failure', async () => {
    const { stack, publisher } = local;
    await updateBanPolicy(stack.db, () => ({ ...DEFAULT_BAN_POLICY, maxretry: 5, findtimeSeconds: 600 }));
    const subject = { type: 'ip' as const, value: '203.0.113.77' };
    for (let i = 0; i < 3; i++) publisher.recordSecurityEvent({ kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: subject.value });
    await publisher.flush();
    await waitFor(() => failuresWithin(stack.db, subject, 600, new Date()), (n) => n === 3, 20_000, 'three failures recorded');
    await pause(1_000);
    expect((await banRef(stack.db, subject).get()).exists).toBe(false);

    await updateBanPolicy(stack.db, (p) => ({ ...p, maxretry: 3 }));
    await waitFor(async () => (await banRef(stack.db, subject).get()).data(), (ban) => ban !== undefined, 30_000, 'the ban under the new policy');
    expect((await banRef(stack.db, subject).get()).data()).toMatchObject({ level: 'ban', reason: '3 failures within 600 s (maxretry 3)' });
  });

  it('raises a performance alert that a lowered rule makes due, with no later sample', async () => {
    const { stack, publisher } = local;
    const alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
    try {
      const rule = (limit: number) => parseAlertRules([{ id: 'p95-generate', metric: 'LATENCY', statistic: 'p95', comparator: 'above', limit, severity: 'WARNING', window: '5m' }]);
      await updateAlertRules(stack.db, () => rule(10_000));
      for (let i = 0; i < 100; i++) publisher.recordMetric({ metric: 'LATENCY', value: 800, labels: { operation: 'generate' } });
      await publisher.flush();
      await waitFor(() => metricStatistics(stack.db, 'LATENCY', '5m', {}), (s) => s.count >= 100, 20_000, 'the samples merged');
      await pause(1_000);

      await updateAlertRules(stack.db, () => rule(500));
      await waitFor(async () => alerts.messages.filter((m) => m.kind === 'performance' && m.ruleId === 'p95-generate').length, (n) => n === 1, 30_000, 'the performance alert');
      expect(alerts.messages.find((m) => m.ruleId === 'p95-generate')).toMatchObject({ status: 'RAISED', severity: 'WARNING' });
    } finally {
      await alerts.close();
    }
  });

  it('emails an alert that a route added while it was being routed now matches', async () => {
    const { stack } = local;
    const mail = stack.mailCatcher as MailCatcher;
    const route = (id: string, match: Partial<AlertRoute>): AlertRoute => ({ id, kinds: [], severities: [], categories: [], to: [`${id}@example.com`], ...match });
    await updateAlertRouting(stack.db, () => ({ from: 'governor@example.com', routes: [route('budgets-only', { kinds: ['budget'] })], digestWindowSeconds: 0 }));
    // Alerts of the tests before may have left the default routing in the notifier's cache.
    await pause(CACHE_MILLISECONDS + 500);
    // Primes the notifier's routing with the old routes (a budget-only route: this alert matches none).
    const first = securityAlert({ subject: '198.51.100.40' });
    await stack.pubsub.topic(stack.topology.topics.alerts).publishMessage({ json: first });
    await waitFor(async () => stack.logs.filter((l) => l.includes(first.alertId) && l.includes('no alert route matches')).length, (n) => n === 1, 20_000, 'the unrouted alert');

    await updateAlertRouting(stack.db, (r) => ({ ...r, routes: [...r.routes, route('security', { kinds: ['security'] })] }));
    const second = securityAlert({ subject: '198.51.100.41' });
    await stack.pubsub.topic(stack.topology.topics.alerts).publishMessage({ json: second });
    // Routed under the cached routing (no match) — then again when the instance reads the new one.
    const emails = await waitFor(
      async () => (await mail.emails()).filter((e) => e.to.some((t) => t.address === 'security@example.com')),
      (e) => e.some((m) => m.text.includes('198.51.100.41')),
      30_000,
      'the email on the added route',
    );
    // The alert handled before the change stays unrouted: it was decided under the routing then in force.
    expect(emails.some((m) => m.text.includes('198.51.100.40'))).toBe(false);
  });
});
