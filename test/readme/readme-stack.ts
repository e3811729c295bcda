import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { firebaseEmulatorPorts } from '../../bin/stack/emulators';
import { freePort, waitForPort } from '../../bin/stack/ports';
import { startProcess, type ManagedProcess } from '../../bin/stack/process-group';
import { repoRoot } from '../../bin/stack/repo-root';
import { DEFAULT_FUNCTIONS_PORT, DEFAULT_MAIL_PORTS } from '../../bin/start';
import { LOOPBACK_PRELOAD, waitFor } from '../support/test-stack';

/** `npm start`'s stack as a reader gets it, on free ports: the banner's environment and the addresses it moved. */
export interface ReadmeStack {
  /** The banner's `export` lines. */
  env: NodeJS.ProcessEnv;
  /** The mail catcher's web address (maildev's REST API is under it). */
  mailUrl: string;
  /** `127.0.0.1:<port the README assumes>` → `127.0.0.1:<port this stack listens on>`. */
  addresses: Map<string, string>;
  output(): string;
  stop(): Promise<void>;
}

/** Where a reader's Redis listens (the cache blocks' REDIS_URL). */
const REDIS_DEFAULT_PORT = 6379;

/** A Redis of the README's own (the cache blocks invalidate and warm it), nothing persisted. */
async function startRedis(): Promise<{ port: number; process: ManagedProcess }> {
  const port = await freePort();
  const redis = startProcess({ name: 'redis', command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'] });
  await waitForPort(port, '127.0.0.1', 10_000, 'redis-server');
  return { port, process: redis };
}

/** Longest start-up on two loaded cores (12 processes, two JVMs). */
const START_TIMEOUT_MILLISECONDS = 150_000;

const portOf = (output: string, label: RegExp): number => {
  const match = label.exec(output);
  if (!match?.[1]) throw new Error(`the banner has no ${label.source} line:\n${output}`);
  return Number(match[1]);
};

/**
 * The ports a README block may assume (firebase.json's emulators, start.ts's functions, dashboard
 * and mail catcher, a local Redis) paired with the ones this stack's banner shows.
 */
function movedAddresses(output: string, redisPort: number): Map<string, string> {
  const defaults = firebaseEmulatorPorts(join(repoRoot(), 'firebase.json'));
  const pairs: [number, number][] = [
    [defaults.pubsub, portOf(output, /Pub\/Sub emulator\s+127\.0\.0\.1:(\d+)/)],
    [defaults.firestore, portOf(output, /Firestore emulator\s+127\.0\.0\.1:(\d+)/)],
    [DEFAULT_MAIL_PORTS.web, portOf(output, /Alert email\s+http:\/\/127\.0\.0\.1:(\d+)/)],
    [DEFAULT_MAIL_PORTS.smtp, portOf(output, /SMTP 127\.0\.0\.1:(\d+)\)/)],
  ];
  const functionPorts = [...output.matchAll(/^ {2}fn \S+\s+http:\/\/127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
  functionPorts.forEach((port, i) => pairs.push([DEFAULT_FUNCTIONS_PORT + i, port]));
  pairs.push([DEFAULT_FUNCTIONS_PORT + functionPorts.length, portOf(output, /Dashboard\s+http:\/\/127\.0\.0\.1:(\d+)/)]);
  pairs.push([REDIS_DEFAULT_PORT, redisPort]);
  return new Map(pairs.map(([from, to]) => [`127.0.0.1:${from}`, `127.0.0.1:${to}`]));
}

/** Rewrites the addresses a README line assumes to the ones of the running stack. */
export function relocate(text: string, addresses: ReadonlyMap<string, string>): string {
  return text.replace(/\b(?:127\.0\.0\.1|localhost):\d+(?!\d)/g, (address) => addresses.get(address.replace(/^localhost/, '127.0.0.1')) ?? address);
}

/**
 * Starts what `npm start` starts once it has built (dist/bin/start.js), in its own process group,
 * every port free (0), and waits for its ready banner.
 */
export async function startReadmeStack(): Promise<ReadmeStack> {
  let output = '';
  // The project a reader gets (demo-governor): the README's export line names it. The emulators are this stack's own.
  const { GOOGLE_CLOUD_PROJECT: _project, GCLOUD_PROJECT: _gcloudProject, ...env } = process.env;
  const redis = await startRedis();
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot(), 'dist/bin/start.js')], {
    env: {
      ...env,
      SMTP_HOST: '',
      GOVERNOR_PUBSUB_PORT: '0',
      GOVERNOR_FIRESTORE_PORT: '0',
      GOVERNOR_FUNCTIONS_PORT: '0',
      GOVERNOR_MAIL_SMTP_PORT: '0',
      GOVERNOR_MAIL_WEB_PORT: '0',
      NODE_OPTIONS: `--require ${LOOPBACK_PRELOAD}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    await redis.process.stop();
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-(child.pid as number), 'SIGINT');
    const killer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };
  await waitFor(async () => output, (o) => o.includes('Ctrl-C stops everything.') || child.exitCode !== null, START_TIMEOUT_MILLISECONDS, 'the ready banner of npm start');
  if (child.exitCode !== null) {
    await redis.process.stop();
    throw new Error(`npm start's stack exited with ${child.exitCode}:\n${output}`);
  }
  const banner = Object.fromEntries([...output.matchAll(/^ {2}export (\w+)=(\S*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
  return {
    env: banner,
    mailUrl: `http://127.0.0.1:${portOf(output, /Alert email\s+http:\/\/127\.0\.0\.1:(\d+)/)}`,
    addresses: movedAddresses(output, redis.port),
    output: () => output,
    stop,
  };
}
