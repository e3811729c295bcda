import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlReport } from '../../../shared/loadtest/html-report';
import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import { metricEventsOf } from '../../../shared/loadtest/metric-events';
import { runLoadTest } from '../../../shared/loadtest/run-load-test';
import { createTarget } from '../../../shared/loadtest/target-spec';
import { parseThreshold } from '../../../shared/loadtest/thresholds';
import { runDistributed } from '../../../shared/loadtest/worker-pool';
import { parseEvent } from '../../../shared/contracts/event';

describe('load test against a real HTTP server', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; url: string; header?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, header: req.headers['x-run'] as string | undefined, body });
        res.statusCode = req.url === '/fail' ? 503 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (seen.length = 0));

  it('sends the planned requests with method, headers and body, and passes its thresholds', async () => {
    const plan = resolveLoadPlan('x', { stages: '20:1s' });
    const target = await createTarget({ kind: 'http', url: `${url}/ok`, method: 'POST', headers: { 'x-run': 'r1' }, body: '{"a":1}' }, false);
    const result = await runLoadTest(plan, target, { thresholds: ['error_rate==0', 'requests==20'].map(parseThreshold) });
    expect(result.passed).toBe(true);
    expect(result.summary.statuses).toEqual({ '200': 20 });
    expect(seen).toHaveLength(20);
    expect(seen[0]).toEqual({ method: 'POST', url: '/ok', header: 'r1', body: '{"a":1}' });
  });

  it('groups failures by status and fails the error threshold', async () => {
    const result = await runLoadTest(resolveLoadPlan('x', { stages: '10:1s' }), await createTarget({ kind: 'http', url: `${url}/fail` }, false), {});
    expect(result.summary.errors).toEqual([{ error: 'status 503', count: 10, share: 1 }]);
    expect(result.passed).toBe(false);
  });

  it('counts a refused connection as an error, not a crash', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const result = await runLoadTest(resolveLoadPlan('x', { stages: '5:1s' }), await createTarget({ kind: 'http', url: `http://127.0.0.1:${port}/` }, false), {});
    expect(result.summary.totals.failed).toBe(5);
    expect(result.summary.errors[0]!.error).toBe('ECONNREFUSED');
  });

  it('builds each request with a scenario module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'scenario.js');
    writeFileSync(file, "exports.request = (i) => ({ method: 'PUT', path: `/item/${i}`, body: String(i) });\n");
    const result = await runLoadTest(resolveLoadPlan('x', { stages: '5:1s' }), await createTarget({ kind: 'http', url, scenario: file }, false), {});
    expect(result.summary.totals.succeeded).toBe(5);
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `PUT /item/${i} ${i}`));
  });

  it('refuses a scenario without request() and a remote URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    writeFileSync(join(dir, 'bad.js'), 'exports.nothing = 1;\n');
    await expect(createTarget({ kind: 'http', url, scenario: join(dir, 'bad.js') }, false)).rejects.toThrow(/must export a function request\(index\)/);
    await expect(createTarget({ kind: 'http', url: 'http://203.0.113.5/' }, false)).rejects.toThrow(/not a loopback address/);
  });

  it('splits a run across worker processes whose merged result has every planned request once', async () => {
    const plan = resolveLoadPlan('x', { stages: '30:1s,60:0.5s' });
    const result = await runDistributed(plan, { kind: 'http', url: `${url}/ok` }, { workers: 3 });
    expect(result.summary.workers).toBe(3);
    expect(result.summary.totals).toMatchObject({ requests: 60, succeeded: 60 });
    expect(result.summary.stages.map((s) => s.requests)).toEqual([30, 30]);
    expect(seen).toHaveLength(60);
  });

  it('writes a self-contained HTML report and metric events that pass the wire schema', async () => {
    const result = await runLoadTest(resolveLoadPlan('baseline', { stages: '10:2s' }), await createTarget({ kind: 'http', url: `${url}/ok` }, false), { runId: '01JD0000000000000000000000' });
    const html = htmlReport(result);
    expect(html).toContain('<svg');
    expect(html).toMatch(/Latency over time/);
    expect(html).toMatch(/Throughput/);
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!127\.0\.0\.1)/);
    const events = metricEventsOf(result);
    expect(events.length).toBeGreaterThanOrEqual(6);
    for (const e of events) parseEvent({ eventId: '01JD0000000000000000000001', schemaVersion: 1, source: 'governor-loadtest', occurredAt: e.occurredAt, type: e.type, payload: e.payload });
    const latency = events.filter((e) => (e.payload as { metric: string }).metric === 'LATENCY');
    expect(latency.reduce((n, e) => n + (e.payload as { count: number }).count, 0)).toBe(20);
  });
});
