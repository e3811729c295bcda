import { request } from 'node:http';
import type { Page } from 'playwright-core';
import { createPublisher, type GovernorPublisher } from '../../../shared/publisher/publisher';
import { DEFAULT_BAN_POLICY } from '../../../shared/security/ban-policy';
import { loadBudgetConfig } from '../../../shared/store/budget-config-store';
import { updateRotationConfig } from '../../../shared/store/rotation-config-store';
import { updateBanPolicy } from '../../../shared/store/security-policy-store';
import { secretManagerClient } from '../../../shared/secrets/secret-manager-client';
import { periodOf } from '../../../shared/basics/period';
import { launchBrowser, type TestBrowser } from '../../support/browser';
import { governorCli } from '../../support/governor-cli';
import { waitForCounted } from '../../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../../support/test-stack';

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
    if (process.env.GOVERNOR_DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.GOVERNOR_DASHBOARD_SCREENSHOT, fullPage: true });
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
});
