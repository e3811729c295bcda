import { request } from 'node:http';
import type { Page } from 'playwright-core';
import { createPublisher, type GovernorPublisher } from '../../../shared/publisher/publisher';
import { DEFAULT_BAN_POLICY } from '../../../shared/security/ban-policy';
import { loadBudgetConfig, updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { withScopedBudget } from '../../../shared/budget/budget-config';
import { windowOf } from '../../../shared/budget/budget-window';
import { scopedBudgetSchema } from '../../../shared/budget/scoped-budget';
import { updateRotationConfig } from '../../../shared/store/rotation-config-store';
import { updateBanPolicy } from '../../../shared/store/security-policy-store';
import { secretManagerClient } from '../../../shared/secrets/secret-manager-client';
import { periodOf } from '../../../shared/basics/period';
import { launchBrowser, type TestBrowser } from '../../support/browser';
import { governorCli } from '../../support/governor-cli';
import { waitForCounted } from '../../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../../support/test-stack';
import type { DashboardView } from '../../../functions/dashboard/live-state';

/** The text of a budget table row, e.g. "AI_API_CALLS $12.34 $100.00 12.3 % …". */
const budgetRow = (page: Page, budget: string) => page.locator('#budget-table tbody tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^${budget}$`) }) });

/** A GET with a chosen Host header (fetch does not let one set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard in a real browser on the local stack', () => {
  let stack: TestStack;
  let browser: TestBrowser;
  let publisher: GovernorPublisher;
  let url: string;
  const governor = governorCli(() => stack.clientEnv);
  const period = periodOf(new Date()).id;

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator', 'security-monitor', 'metric-aggregator'], dashboard: true, functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    url = `${stack.dashboard!.url}/`;
    await updateBanPolicy(stack.db, () => ({ ...DEFAULT_BAN_POLICY, maxretry: 3, findtimeSeconds: 60, bantimeSeconds: 600 }));
    // A rotated secret without versions yet, configured before the dashboard's first read.
    const client = secretManagerClient(stack.projectId, { GOVERNOR_SECRET_MANAGER_ENDPOINT: stack.secretManagerEndpoint });
    await client.createSecret({ parent: `projects/${stack.projectId}`, secretId: 'writer-api-key', secret: { replication: { automatic: {} } } });
    await client.close();
    await updateRotationConfig(stack.db, () => ({ secrets: { 'writer-api-key': { periodHours: 24, graceHours: 1, retention: 3 } } }));
    publisher = createPublisher({ projectId: stack.projectId, source: 'dashboard-test-agent', exitHook: false, batching: { maxMilliseconds: 5 } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await publisher?.close();
    await stack?.close();
  });

  it('serves every response with the security headers of shared/security and refuses non-loopback host names', async () => {
    for (const path of ['', 'assets/dashboard.js', 'api/state?window=1h', 'nope']) {
      const res = await fetch(`${url}${path}`);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    const rebound = await getWithHost(url, 'attacker.example:80');
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('loopback host names');
  });

  it('loads without console errors and shows the spend that events just recorded', async () => {
    publisher.recordCost({ category: 'AI_API_CALLS', amountMicros: 12_340_000 });
    publisher.recordCost({ category: 'STORAGE', amountMicros: 17_000_000 });
    for (let i = 0; i < 40; i++) publisher.recordMetric({ metric: 'LATENCY', value: 50 + i * 10, labels: { operation: 'generate' } });
    for (let i = 0; i < 20; i++) publisher.recordMetric({ metric: 'ERROR_RATE', value: i % 10 === 0 ? 100 : 0, labels: { operation: 'generate' } });
    for (let i = 0; i < 20; i++) publisher.recordCacheLookup(i % 4 !== 0);
    await publisher.flush();
    await waitForCounted(stack.db, period, 2);

    const { page, errors } = await browser.open(url);
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    await budgetRow(page, 'AI_API_CALLS').filter({ hasText: '$12.34' }).waitFor();
    // STORAGE at 85 % of its $20: past the 80 % threshold, not yet throttled.
    expect(await budgetRow(page, 'STORAGE').innerText()).toMatch(/\$17\.00\s+\$20\.00\s+85\.0 %/);
    expect(await budgetRow(page, 'TOTAL').innerText()).toContain('$29.34');
    await page.locator('#alert-list li', { hasText: 'STORAGE passed a threshold: WARNING' }).waitFor();
    // The performance panel reads the metric buckets the aggregator wrote (refreshed every 5 s).
    const latency = page.locator('#performance-table tbody tr', { has: page.locator('td:first-child', { hasText: /^LATENCY$/ }) });
    await latency.locator('td:nth-child(2)', { hasText: /^40$/ }).waitFor({ timeout: 20_000 });
    await page.locator('#dead-letter-table tbody tr', { hasText: 'governor-cost-events-dead-letter' }).waitFor();
    expect(await page.locator('#spend-chart').evaluate((c: HTMLCanvasElement) => c.width > 0)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('updates after a new event without a reload', async () => {
    const { page, errors } = await browser.open(url);
    await budgetRow(page, 'AI_API_CALLS').filter({ hasText: '$12.34' }).waitFor();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    publisher.recordCost({ category: 'AI_API_CALLS', amountMicros: 1_000_000 });
    await publisher.flush();
    await budgetRow(page, 'AI_API_CALLS').filter({ hasText: '$13.34' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lifts a ban from the page, and `governor bans list` no longer shows it', async () => {
    for (let i = 0; i < 3; i++) publisher.recordSecurityEvent({ kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: '203.0.113.50' });
    await publisher.flush();
    await waitFor(async () => (await governor('bans', 'list', '--json')).stdout, (out) => out.includes('203.0.113.50'), 20_000, 'the ban');

    const { page, errors } = await browser.open(url);
    const row = page.locator('#ban-table tbody tr', { hasText: '203.0.113.50' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Lift' }).click();
    await page.locator('#status.ok', { hasText: 'lifted the ban on ip 203.0.113.50' }).waitFor();
    await row.waitFor({ state: 'detached' });
    const listed = await governor('bans', 'list', '--json');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const all = JSON.parse((await governor('bans', 'list', '--all', '--json')).stdout) as { subject: string; active: boolean }[];
    expect(all.find((b) => b.subject === '203.0.113.50')).toMatchObject({ active: false });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sets a budget through the CLI code, and refuses invalid values and requests without the CSRF token', async () => {
    const { page, errors } = await browser.open(url);
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    await page.selectOption('#budget-key', 'STORAGE');
    await page.fill('#budget-usd', 'abc');
    await page.click('#budget-form button');
    await page.locator('#status.error', { hasText: '"abc" is not an amount in USD' }).waitFor();
    expect((await loadBudgetConfig(stack.db)).config.categories.STORAGE).toBe(20_000_000);

    await page.fill('#budget-usd', '40');
    await page.click('#budget-form button');
    await page.locator('#status.ok', { hasText: 'STORAGE budget is now $40.00 per month' }).waitFor();
    expect((await loadBudgetConfig(stack.db)).config.categories.STORAGE).toBe(40_000_000);
    await budgetRow(page, 'STORAGE').filter({ hasText: '42.5 %' }).waitFor();

    // The same POST from the page's origin without the token, and a GET, change nothing.
    const refused = await page.evaluate(async () => {
      const noToken = await fetch('api/budget', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ budget: 'STORAGE', usd: '1' }) });
      const forged = await fetch('api/budget', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'x.y' }, body: JSON.stringify({ budget: 'STORAGE', usd: '1' }) });
      const get = await fetch('api/budget');
      return [noToken.status, (await noToken.json()).error, forged.status, (await forged.json()).error, get.status];
    });
    expect(refused).toEqual([403, expect.stringContaining('missing CSRF token'), 403, expect.stringContaining('invalid CSRF token'), 405]);
    // Outside a browser: a valid-looking token without its cookie.
    const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const bare = await fetch(`${url}api/budget`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token! }, body: '{"budget":"STORAGE","usd":"1"}' });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { error: string }).error).toContain('missing CSRF cookie');
    expect((await loadBudgetConfig(stack.db)).config.categories.STORAGE).toBe(40_000_000);
    // The refusals above are the only failed loads the browser reports.
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|403|405)/.test(e))).toEqual([]);
    await page.close();
  });

  it('rotates a key from the page, as `governor keys rotate` would', async () => {
    const { page, errors } = await browser.open(url);
    const row = page.locator('#key-table tbody tr', { hasText: 'writer-api-key' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Rotate now' }).click();
    await page.locator('#status.ok', { hasText: /writer-api-key: version 1 \(key id \w+\) is now current/ }).waitFor();
    await row.filter({ hasText: 'v1 enabled' }).waitFor();
    const status = JSON.parse((await governor('keys', 'status', '--json')).stdout) as { secret: string; versions: { version: number; state: string }[] }[];
    expect(status).toEqual([expect.objectContaining({ secret: 'writer-api-key', versions: [expect.objectContaining({ version: 1, state: 'ENABLED' })] })]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('counts dead letters', async () => {
    const { page, errors } = await browser.open(url);
    await stack.pubsub.topic(stack.topology.topics.cost).publishMessage({ json: { not: 'an event' } });
    // Counted every 15 s (DASHBOARD_DEFAULTS.deadLetterRefreshMilliseconds).
    const row = page.locator('#dead-letter-table tbody tr', { has: page.locator('td:first-child', { hasText: /^governor-cost-events-dead-letter$/ }) });
    await row.locator('td:nth-child(2)', { hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    // Counting hands the message back: the CLI still reads it.
    const listed = JSON.parse((await governor('dead-letters', '--topic', 'cost', '--json')).stdout) as { body: string }[];
    expect(listed.map((d) => d.body)).toEqual(['{"not":"an event"}']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ranks agents and teams against their budgets, drills into one scope, and charts spend against the pace line', async () => {
    const { page, errors } = await browser.open(url);
    // No agent or team budget yet: each panel says which budget to add, and the page still works.
    await page.locator('#top-agent .hint', { hasText: 'governor budget set 100 --scope agent:* --window day' }).waitFor();
    await page.locator('#top-team .hint', { hasText: '--scope team:*' }).waitFor();

    await updateBudgetConfig(stack.db, (c) =>
      withScopedBudget(
        withScopedBudget(c, scopedBudgetSchema.parse({ id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000 })),
        scopedBudgetSchema.parse({ id: 'team-monthly', scope: 'team:*', window: 'month', amountMicros: 5_000_000 }),
      ),
    );
    const spenders = [
      { source: 'alpha', team: 'search', usd: 0.96 },
      { source: 'beta', team: 'search', usd: 0.3 },
      { source: 'gamma', team: 'ads', usd: 0.5 },
    ].map((s) => ({ ...s, publisher: createPublisher({ projectId: stack.projectId, source: s.source, attribution: { team: s.team }, exitHook: false, batching: { maxMilliseconds: 5 } }) }));
    for (const s of spenders) s.publisher.recordCost({ category: 'AI_API_CALLS', usd: s.usd });
    await Promise.all(spenders.map((s) => s.publisher.flush()));

    // Top agents, highest first, each with its budget and flag (alpha at 96 % is throttled).
    const agentRows = page.locator('#top-agent .top-table tbody tr');
    await agentRows.first().filter({ hasText: 'throttled' }).waitFor({ timeout: 30_000 });
    await agentRows.nth(2).filter({ hasText: 'agent:beta' }).waitFor({ timeout: 30_000 });
    expect(await agentRows.allInnerTexts()).toEqual([
      expect.stringMatching(/^agent:alpha\s+agent-daily \S+\s+\$0\.96\s+\$1\.00\s+96\.0 %\s+throttled$/),
      expect.stringMatching(/^agent:gamma\s+agent-daily \S+\s+\$0\.50\s+\$1\.00\s+50\.0 %\s+none$/),
      expect.stringMatching(/^agent:beta\s+agent-daily \S+\s+\$0\.30\s+\$1\.00\s+30\.0 %\s+none$/),
    ]);
    const teamRows = page.locator('#top-team .top-table tbody tr');
    await teamRows.first().filter({ hasText: '$1.26' }).waitFor({ timeout: 30_000 });
    expect(await teamRows.allInnerTexts()).toEqual([
      expect.stringMatching(/^team:search\s+team-monthly \S+\s+\$1\.26\s+\$5\.00\s+25\.2 %\s+none$/),
      expect.stringMatching(/^team:ads\s+team-monthly \S+\s+\$0\.50\s+\$5\.00\s+10\.0 %\s+none$/),
    ]);
    const chartOf = (id: string) =>
      page.evaluate((canvas) => {
        const c = (window as unknown as { Chart: { getChart(id: string): { data: { labels?: string[]; datasets: { label: string; data: unknown[] }[] } } | undefined } }).Chart.getChart(canvas);
        return c ? { labels: c.data.labels ?? [], datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })) } : undefined;
      }, id);
    expect(await chartOf('top-agent-chart')).toEqual({
      labels: ['alpha (throttled)', 'gamma', 'beta'],
      datasets: [
        { label: 'spent (USD)', data: [0.96, 0.5, 0.3] },
        { label: 'budget (USD)', data: [1, 1, 1] },
      ],
    });
    expect((await chartOf('top-team-chart'))?.labels).toEqual(['search', 'ads']);

    // The budget table shows the step each scope is at; the alert list has the scoped alerts.
    const alphaLine = page.locator('#budget-table tbody tr', { hasText: 'agent:alpha' });
    // The status lines and the rankings are read in one refresh but not one instant: wait for the flag.
    await alphaLine.filter({ hasText: 'throttled' }).waitFor({ timeout: 20_000 });
    expect(await alphaLine.innerText()).toMatch(/^agent-daily\s+agent:alpha\s+day \S+\s+\$0\.96\s+\$1\.00\s+96\.0 %\s+–\s+95 % throttle\s+throttled$/);
    await page.locator('#alert-list li', { hasText: 'agent:alpha passed a threshold of budget agent-daily' }).filter({ hasText: 'CRITICAL' }).waitFor({ timeout: 20_000 });
    await page.locator('#flag-list li', { hasText: 'agent:alpha (agent-daily): throttled' }).waitFor();

    // Drill into alpha from its row: its line, and its curve against the daily budget's pace.
    await agentRows.first().getByRole('link', { name: 'agent:alpha' }).click();
    const drill = page.locator('#drill-table tbody tr', { hasText: 'agent-daily' });
    await drill.waitFor({ timeout: 20_000 });
    expect(await drill.innerText()).toMatch(/^agent-daily\s+agent:alpha\s+day \S+\s+TOTAL\s+soft\s+\$0\.96\s+\$1\.00\s+96\.0 %\s+95 % throttle\s+throttled\s+WARNING, CRITICAL$/);
    expect(new URL(page.url()).searchParams.get('scope')).toBe('agent:alpha');
    const day = windowOf('day', 'UTC', new Date());
    const scopeChart = await chartOf('scope-time-chart');
    expect(scopeChart?.datasets.find((d) => d.label === 'pace (budget × elapsed share)')?.data).toEqual([
      { x: day.start.getTime(), y: 0 },
      { x: day.end.getTime(), y: 1 },
    ]);
    const spent = scopeChart?.datasets.find((d) => d.label === 'spent (cumulative, USD)')?.data as { x: number; y: number }[];
    expect(spent[0]).toEqual({ x: day.start.getTime(), y: 0 });
    expect(spent.at(-1)?.y).toBe(0.96);

    // The fleet's month: cumulative from the ledger up to today's exact total, against the total budget's pace.
    const view = await page.evaluate(() => (window as unknown as { governorDashboard: { view(): DashboardView } }).governorDashboard.view());
    const total = view.live!.budget.budgets.find((b) => b.budget === 'TOTAL')!;
    const fleet = await chartOf('fleet-time-chart');
    expect(fleet?.datasets.find((d) => d.label === 'pace (budget × elapsed share)')?.data).toEqual([
      { x: Date.parse(view.live!.budget.periodStart), y: 0 },
      { x: Date.parse(view.live!.budget.periodEnd), y: total.budgetMicros / 1e6 },
    ]);
    expect((fleet?.datasets.find((d) => d.label === 'spent (cumulative, USD)')?.data as { y: number }[]).at(-1)?.y).toBe(total.spentMicros / 1e6);

    // The README's picture: every panel filled, drilled into agent:alpha.
    if (process.env.GOVERNOR_DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.GOVERNOR_DASHBOARD_SCREENSHOT, fullPage: true });
    // A template or a malformed scope is refused, naming the parameter.
    const refused = await page.evaluate(async () => {
      const res = await fetch('api/state?window=1h&scope=' + encodeURIComponent('agent:*'));
      return [res.status, ((await res.json()) as { error: string }).error];
    });
    expect(refused).toEqual([400, expect.stringContaining('scope: "agent:*" is a template')]);
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e))).toEqual([]);
    await Promise.all(spenders.map((s) => s.publisher.close()));
    await page.close();
  });
});
