import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { portProblem } from '../../bin/stack/port-claims';
import { freePort } from '../../bin/stack/ports';
import { repoRoot } from '../../bin/stack/repo-root';
import { loadTopology } from '../../shared/topology/topology';
import { governorCli } from '../support/governor-cli';
import { ProcessTreeWatcher, survivors } from '../support/process-tree';
import { LOOPBACK_PRELOAD, waitFor } from '../support/test-stack';

const ROOT = repoRoot();

/** Processes whose command line mentions the port: what `npm start` left behind, if anything. */
function processesOnPort(port: number): string[] {
  const result = spawnSync('pgrep', ['-af', `port=${port}`], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((l) => l && !l.includes('pgrep'));
}

describe('npm start (the local stack)', () => {
  let child: ChildProcess;
  let watcher: ProcessTreeWatcher;
  let output = '';
  const ports = { pubsub: 0, firestore: 0 };
  const env = () => ({
    ...process.env,
    // No SMTP_HOST: the stack runs its mail catcher (on free ports).
    SMTP_HOST: '',
    GOVERNOR_MAIL_SMTP_PORT: '0',
    GOVERNOR_MAIL_WEB_PORT: '0',
    GOOGLE_CLOUD_PROJECT: 'demo-start-test',
    GOVERNOR_PUBSUB_PORT: String(ports.pubsub),
    GOVERNOR_FIRESTORE_PORT: String(ports.firestore),
    // 0: every function on a free port (consecutive ports from a base may be taken).
    GOVERNOR_FUNCTIONS_PORT: '0',
    PUBSUB_EMULATOR_HOST: `127.0.0.1:${ports.pubsub}`,
    FIRESTORE_EMULATOR_HOST: `127.0.0.1:${ports.firestore}`,
    NODE_OPTIONS: `--require ${LOOPBACK_PRELOAD}`,
  });

  const governor = governorCli(env);

  beforeAll(async () => {
    ports.pubsub = await freePort();
    ports.firestore = await freePort();
    // Its own process group, as a terminal's foreground job: the watcher records every group under it.
    child = spawn(process.execPath, [join(ROOT, 'dist/bin/start.js')], { env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    watcher = new ProcessTreeWatcher(child.pid as number);
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(async () => output, (o) => o.includes('Ctrl-C stops everything') || child.exitCode !== null, 150_000, 'the stack');
    // Two cores shared with other test runs: starting 12 processes can take over a minute.
  }, 160_000);
  afterAll(() => {
    watcher.stop();
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  });

  it('prints one line per phase with its time, and how long start-up took', () => {
    for (const phase of ['emulators', 'topics', 'functions', 'seed']) expect(output).toMatch(new RegExp(`^  ${phase}\\s+\\d+\\.\\d s\\b`, 'm'));
    expect(output).toMatch(/^Ready in \d+\.\d s\. Ctrl-C stops everything\.$/m);
  });

  it('prints what runs where', () => {
    expect(output).toMatch(new RegExp(`Pub/Sub emulator\\s+127\\.0\\.0\\.1:${ports.pubsub}`));
    expect(output).toMatch(new RegExp(`Firestore emulator\\s+127\\.0\\.0\\.1:${ports.firestore}`));
    for (const fn of loadTopology({}).functions) expect(output).toMatch(new RegExp(`fn ${fn.name}\\s+http://127\\.0\\.0\\.1:\\d+`));
    expect(output).toMatch(/schedule\s+governor-metric-tick: "\* \* \* \* \*" → governor-metric-ticks/);
    expect(output).toMatch(/Alert email\s+http:\/\/127\.0\.0\.1:\d+\s+← read it here \(maildev, SMTP 127\.0\.0\.1:\d+\)/);
  });

  it('prints the dashboard and serves it on loopback', async () => {
    const url = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)\s+← open in a browser/.exec(output)?.[1];
    expect(url).toBeDefined();
    const page = await fetch(url as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Spend vs budget');
  });

  it('delivers the demo alert email to the mail catcher it prints', async () => {
    expect((await governor('budget', 'set', 'total', '10')).status).toBe(0);
    expect((await governor('publish', 'cost', '--category', 'AI_API_CALLS', '--usd', '8.5')).status).toBe(0);
    const webUrl = /Alert email\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const emails = await waitFor(
      async () => (await (await fetch(`${webUrl}/api/email`)).json()) as { subject: string }[],
      (e) => e.length > 0,
      60_000,
      'the alert email',
    );
    expect(emails.map((e) => e.subject)).toEqual(['[Governor WARNING] total budget at 85.0% ($8.50 of $10.00) — threshold 80.0% crossed']);
  });

  it('records a cost event published three times exactly once', async () => {
    const published = await governor('publish', 'cost', '--category', 'AI_API_CALLS', '--usd', '0.25', '--times', '3', '--json');
    expect(published.status).toBe(0);
    const { eventId, published: count } = JSON.parse(published.stdout) as { eventId: string; published: number };
    expect(count).toBe(3);
    const shown = await waitFor(
      async () => governor('events', 'show', eventId, '--json'),
      (r) => r.status === 0,
      20_000,
      'the recorded event',
    );
    expect(JSON.parse(shown.stdout)).toMatchObject({ event: { eventId, payload: { category: 'AI_API_CALLS', amountMicros: 250_000 } }, amountMicros: 250_000 });
  });

  it('stops everything on Ctrl-C and leaves no emulator or function process behind', async () => {
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(processesOnPort(ports.pubsub)).toEqual([]);
    expect(processesOnPort(ports.firestore)).toEqual([]);
    const functionPorts = [...output.matchAll(/fn \S+\s+http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(functionPorts).toHaveLength(loadTopology({}).functions.length);
    for (const port of functionPorts) expect(processesOnPort(port)).toEqual([]);
    const smtpPort = /SMTP 127\.0\.0\.1:(\d+)\)/.exec(output)?.[1];
    expect(spawnSync('pgrep', ['-af', `maildev.js --smtp ${smtpPort} `], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l && !l.includes('pgrep'))).toEqual([]);
    // Every process group the stack ever had (emulators, maildev, functions) is empty, every port free.
    watcher.stop();
    expect(watcher.groups.size).toBeGreaterThanOrEqual(4 + functionPorts.length);
    expect(survivors(watcher.groups).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    const webPort = /Alert email\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    const bound = [ports.pubsub, ports.firestore, ...functionPorts, Number(smtpPort), Number(webPort)];
    const problems = await Promise.all(bound.map((p) => portProblem(p)));
    expect(bound.filter((_, i) => problems[i] !== undefined)).toEqual([]);
  });
});
