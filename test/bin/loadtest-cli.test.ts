import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { LOOPBACK_PRELOAD } from '../support/test-stack';

function governor(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.GOOGLE_CLOUD_PROJECT;
  delete env.GCLOUD_PROJECT;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', LOOPBACK_PRELOAD, join(repoRoot(), 'bin/governor.js'), ...args], { encoding: 'utf8', env }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('governor loadtest', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('runs a quick profile, prints JSON, writes JSON and HTML, and exits 0 when thresholds pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadtest-cli-'));
    const r = await governor('loadtest', 'baseline', '--url', url, '--quick', '0.02', '--json', '--out', join(dir, 'r.json'), '--html', join(dir, 'r.html'), '--threshold', 'error_rate<1%');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as { passed: boolean; summary: { totals: { requests: number } } };
    expect(printed).toMatchObject({ passed: true, summary: { totals: { requests: 12 } } }); // 10 users × 60 s × 0.02
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toHaveProperty('recording.version', 1);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('<svg');
    const merged = await governor('loadtest', 'merge', join(dir, 'r.json'), join(dir, 'r.json'), '--json');
    expect(JSON.parse(merged.stdout)).toMatchObject({ summary: { totals: { requests: 24 }, workers: 2 } });
  });

  it('exits 99, as k6 does, when a threshold fails', async () => {
    const r = await governor('loadtest', 'run', 'x', '--stages', '5:1s', '--url', url, '--threshold', 'rps>1000');
    expect(r.status).toBe(99);
    expect(r.stdout).toMatch(/FAIL {2}rps>1000/);
    expect(r.stdout).toMatch(/FAILED: thresholds not met/);
  });

  it('refuses a remote target, bad thresholds and conflicting flags with a clear message', async () => {
    const remote = await governor('loadtest', 'baseline', '--url', 'http://203.0.113.5/');
    expect(remote.status).toBe(1);
    expect(remote.stderr).toMatch(/not a loopback address .*--allow-remote/);
    const bad = await governor('loadtest', 'baseline', '--url', url, '--threshold', 'p95 fast');
    expect(bad.stderr).toMatch(/threshold "p95 fast" is not/);
    const both = await governor('loadtest', 'baseline', '--url', url, '--rate', '5', '--vus', '5');
    expect(both.stderr).toMatch(/--rate .* or --vus .*, not both/);
    const governorTarget = await governor('loadtest', 'baseline', '--target', 'governor');
    expect(governorTarget.stderr).toMatch(/GOOGLE_CLOUD_PROJECT/);
  });

  it('lists the profiles', async () => {
    const r = await governor('loadtest', 'profiles');
    for (const name of ['baseline', 'stress', 'spike', 'endurance', 'scalability']) expect(r.stdout).toContain(name);
  });
});
