import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { portProblem } from '../../bin/stack/port-claims';
import { repoRoot } from '../../bin/stack/repo-root';
import { loadTopology } from '../../shared/topology/topology';
import { LOOPBACK_PRELOAD, waitFor } from '../support/test-stack';
import { freeStartPorts, runStart, waitForProcess, type StartRun } from '../support/start-process';

const FAIL_PRELOAD = join(repoRoot(), 'test/support/fixtures/fail-function-start.js');
const EMULATOR = /cloud-(pubsub|firestore)-emulator/;
const FUNCTION = /functions-framework.*--target=/;

/** Ports among `ports` that cannot be bound right now. */
async function takenPorts(ports: readonly number[]): Promise<number[]> {
  const problems = await Promise.all(ports.map((p) => portProblem(p)));
  return ports.filter((_, i) => problems[i] !== undefined);
}

async function expectNothingLeft(run: StartRun): Promise<void> {
  expect(run.leftovers().map((p) => `${p.pid} ${p.command}`)).toEqual([]);
  expect(await takenPorts(run.allPorts)).toEqual([]);
}

describe('npm start (dist/bin/start.js) stopped at any moment', () => {
  const runs: StartRun[] = [];
  const start = async (env: NodeJS.ProcessEnv = {}): Promise<StartRun> => {
    const run = runStart(await freeStartPorts(), env);
    runs.push(run);
    return run;
  };
  afterAll(() => {
    // A failed assertion must not leak a stack into the rest of the run.
    for (const run of runs) if (run.child.exitCode === null) process.kill(-(run.child.pid as number), 'SIGKILL');
  });

  it('stops what was started when SIGINT arrives while the emulators start', async () => {
    const run = await start();
    await waitForProcess(run, EMULATOR, 'an emulator process');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.watcher.matching(EMULATOR).length).toBeGreaterThan(0);
    expect(run.output()).toContain('SIGINT: stopping everything the stack started');
    expect(run.output()).not.toContain('Ctrl-C stops everything.');
    await expectNothingLeft(run);
  });

  it('stops emulators, mail catcher and every function started so far on SIGTERM while the functions start', async () => {
    const run = await start();
    await waitForProcess(run, FUNCTION, 'a function process');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    // It really was mid-start: emulators ready (their phase line printed) and functions coming up.
    expect(run.output()).toMatch(/emulators\s+\d+\.\d s {2}Pub\/Sub 127\.0\.0\.1:\d+/);
    expect(run.output()).not.toMatch(/^ {2}functions\s/m);
    expect(run.watcher.matching(/maildev/).length).toBe(1);
    await expectNothingLeft(run);
  });

  it('stops everything on SIGHUP (terminal closed) once the functions run, during the seed', async () => {
    const run = await start();
    await waitFor(async () => run.output(), (o) => /^ {2}functions\s/m.test(o) || run.child.exitCode !== null, 90_000, 'the functions phase');
    run.child.kill('SIGHUP');
    expect(await run.exited).toBe(129);
    // Every push consumer of the topology, and the dashboard.
    expect(run.watcher.matching(FUNCTION).length).toBe(loadTopology({}).functions.length + 1);
    await expectNothingLeft(run);
  });

  it('tears down what was started and exits 1 with the reason when a function fails to start', async () => {
    const run = await start({ NODE_OPTIONS: `--require ${LOOPBACK_PRELOAD} --require ${FAIL_PRELOAD}`, GOVERNOR_TEST_FAIL_TARGET: 'alertDigest' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/could not start the local stack: Error: alert-digest exited with 3 while starting:\s+injected start-up failure of alertDigest/);
    expect(run.watcher.matching(EMULATOR).length).toBeGreaterThan(0);
    await expectNothingLeft(run);
  });

  describe('when a port is taken', () => {
    let holder: Server;
    afterEach(() => new Promise<void>((resolve) => holder.close(() => resolve())));

    it('names the port and the variable that moves it, and starts nothing', async () => {
      const ports = await freeStartPorts();
      holder = createServer();
      await new Promise<void>((resolve) => holder.listen(ports.firestore, '127.0.0.1', () => resolve()));
      const run = runStart(ports);
      runs.push(run);
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`ports already in use:\n  port ${ports.firestore} (Firestore emulator) — moved by GOVERNOR_FIRESTORE_PORT\n`);
      expect(run.output()).toContain('GOVERNOR_FIRESTORE_PORT=0 npm start');
      expect(run.output()).not.toMatch(/Exception|\n\s+at /);
      // Only the start process itself ever ran: no emulator, no function.
      expect([...run.watcher.seen.values()].filter((p) => p.pid !== run.child.pid)).toEqual([]);
      expect(run.leftovers()).toEqual([]);
    });
  });
});
