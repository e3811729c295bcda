import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertPortsFree } from '../../bin/stack/port-claims';
import { freePort } from '../../bin/stack/ports';
import { repoRoot } from '../../bin/stack/repo-root';
import { loadTopology } from '../../shared/topology/topology';
import { ProcessTreeWatcher, survivors, type ProcessInfo } from './process-tree';
import { LOOPBACK_PRELOAD, waitFor } from './test-stack';

/** The fixed ports a child `npm start` is given, so a test knows what must be free afterwards. */
export interface StartPorts {
  pubsub: number;
  firestore: number;
  functionsBase: number;
  mailSmtp: number;
  mailWeb: number;
}

/** A run of dist/bin/start.js in a child process (its own process group), watched from outside. */
export interface StartRun {
  child: ChildProcess;
  ports: StartPorts;
  /** Every port the stack would listen on. */
  allPorts: number[];
  output: () => string;
  watcher: ProcessTreeWatcher;
  /** Environment entry every process of the run inherits (all but maildev, which gets a bare env). */
  marker: string;
  exited: Promise<number | null>;
  /** Live processes of the run's groups (or with its marker) after it ended. */
  leftovers(): ProcessInfo[];
}

const FUNCTION_COUNT = loadTopology({}).functions.length;
/** The functions' run: each function at base + i, then the dashboard at base + FUNCTION_COUNT. */
const RUN_LENGTH = FUNCTION_COUNT + 1;

/**
 * Where the kernel picks the local ports of outgoing connections (Linux default 32768–60999). A
 * fixed port inside it can be taken between the probe and the function's listen by any process's
 * outgoing connection — a parallel test's emulator client did exactly that (EADDRINUSE) — so the
 * functions' run is chosen below it. (The emulator and mail ports come from `freePort()`: the OS
 * hands out a port free at that moment, which its server binds moments later.)
 */
function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

/** A run of consecutive free ports for the functions and the dashboard (see RUN_LENGTH). */
async function freeFunctionBase(): Promise<number> {
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralStart()) - RUN_LENGTH;
  for (;;) {
    const base = low + Math.floor(Math.random() * (high - low));
    const ports = Array.from({ length: RUN_LENGTH }, (_, i) => base + i);
    try {
      await assertPortsFree(ports.map((port) => ({ port, label: 'probe', setting: 'functions' as const })));
      return base;
    } catch {
      // one of them is taken: try another range
    }
  }
}

export async function freeStartPorts(): Promise<StartPorts> {
  return { pubsub: await freePort(), firestore: await freePort(), functionsBase: await freeFunctionBase(), mailSmtp: await freePort(), mailWeb: await freePort() };
}

/** Starts dist/bin/start.js on the given ports with extra environment. */
export function runStart(ports: StartPorts, env: NodeJS.ProcessEnv = {}): StartRun {
  const marker = `GOVERNOR_TEST_RUN=${randomBytes(6).toString('hex')}`;
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/bin/start.js')], {
    env: {
      ...process.env,
      SMTP_HOST: '',
      GOOGLE_CLOUD_PROJECT: 'demo-start-signals',
      GOVERNOR_PUBSUB_PORT: String(ports.pubsub),
      GOVERNOR_FIRESTORE_PORT: String(ports.firestore),
      GOVERNOR_FUNCTIONS_PORT: String(ports.functionsBase),
      GOVERNOR_MAIL_SMTP_PORT: String(ports.mailSmtp),
      GOVERNOR_MAIL_WEB_PORT: String(ports.mailWeb),
      NODE_OPTIONS: `--require ${LOOPBACK_PRELOAD}`,
      [marker.split('=')[0] as string]: marker.split('=')[1],
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own group, as a terminal's foreground job would be: the watcher counts it with the rest.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const watcher = new ProcessTreeWatcher(child.pid as number);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => watcher.stop());
  const allPorts = [ports.pubsub, ports.firestore, ports.mailSmtp, ports.mailWeb, ...Array.from({ length: RUN_LENGTH }, (_, i) => ports.functionsBase + i)];
  return { child, ports, allPorts, output: () => output, watcher, marker, exited, leftovers: () => survivors(watcher.groups, marker) };
}

/** Waits until the run's tree holds a process whose command line matches (or the run ended). */
export function waitForProcess(run: StartRun, pattern: RegExp, label: string): Promise<unknown> {
  return waitFor(async () => run.watcher.matching(pattern).length > 0 || run.child.exitCode !== null, (found) => found, 90_000, label);
}
