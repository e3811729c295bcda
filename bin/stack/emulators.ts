import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForHttpOk } from './ports';
import { startProcess, untilReady, type ManagedProcess } from './process-group';

export type EmulatorName = 'pubsub' | 'firestore';

export interface EmulatorHandle {
  name: EmulatorName;
  host: string;
  port: number;
  /** `host:port`, the value of `PUBSUB_EMULATOR_HOST` / `FIRESTORE_EMULATOR_HOST`. */
  hostPort: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  host?: string;
  port: number;
  /** Java heap cap, e.g. `256m`. */
  maxHeap?: string;
  startTimeoutMilliseconds?: number;
  onLine?: (line: string) => void;
  /** Aborting it while the emulator starts stops it and rejects with the signal's reason. */
  signal?: AbortSignal;
}

const EMULATOR_DEFAULTS = {
  host: '127.0.0.1',
  // Measured ~110 MB resident for Pub/Sub; 256 MB leaves room for test bursts.
  maxHeap: '256m',
  startTimeoutMilliseconds: 30_000,
} as const;

/** `gcloud info` takes seconds (it is Python): ask once per process. */
let sdkRootFromGcloud: string | undefined;

/** Where the gcloud SDK lives (`GCLOUD_SDK_ROOT`, else `gcloud info`). */
export function gcloudSdkRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GCLOUD_SDK_ROOT) return env.GCLOUD_SDK_ROOT;
  try {
    sdkRootFromGcloud ??= execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], { encoding: 'utf8' }).trim();
    return sdkRootFromGcloud;
  } catch (error) {
    throw new Error(`the gcloud CLI was not found (${(error as Error).message}); install it or set GCLOUD_SDK_ROOT`);
  }
}

function emulatorCommand(name: EmulatorName, sdk: string, host: string, port: number, maxHeap: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (name === 'pubsub') {
    const script = join(sdk, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
    assertInstalled(script, 'pubsub-emulator');
    return { command: script, args: [`--host=${host}`, `--port=${port}`], env: { ...process.env, JAVA_OPTS: `-Xmx${maxHeap}` } };
  }
  const jar = join(sdk, 'platform/cloud-firestore-emulator/cloud-firestore-emulator.jar');
  assertInstalled(jar, 'cloud-firestore-emulator');
  // `java -jar` fails on this jar (no main manifest): name the main class.
  return {
    command: 'java',
    args: [`-Xmx${maxHeap}`, '-cp', jar, 'com.google.cloud.datastore.emulator.firestore.CloudFirestore', 'start', `--host=${host}`, `--port=${port}`],
    env: process.env,
  };
}

function assertInstalled(path: string, component: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`gcloud components install ${component}\` or \`apt-get install google-cloud-cli-${component === 'pubsub-emulator' ? 'pubsub-emulator' : 'firestore-emulator'}\``);
  }
}

/** Starts one emulator in its own process group and resolves when it answers `Ok`. */
export async function startEmulator(name: EmulatorName, options: EmulatorOptions): Promise<EmulatorHandle> {
  const o = { ...EMULATOR_DEFAULTS, ...options };
  const { command, args, env } = emulatorCommand(name, gcloudSdkRoot(), o.host, o.port, o.maxHeap);
  const managed = startProcess({ name: `${name}-emulator`, command, args, env, onLine: o.onLine });
  await untilReady(managed, (signal) => waitForHttpOk(`http://${o.host}:${o.port}/`, o.startTimeoutMilliseconds, `${name} emulator`, signal), o.signal);
  return { name, host: o.host, port: o.port, hostPort: `${o.host}:${o.port}`, process: managed, stop: () => managed.stop() };
}

/** Emulator ports from firebase.json — the single place that names them. */
export function firebaseEmulatorPorts(firebaseJsonPath: string): Record<EmulatorName, number> {
  const config = JSON.parse(readFileSync(firebaseJsonPath, 'utf8')) as { emulators?: Record<string, { port?: number }> };
  const port = (name: EmulatorName): number => {
    const value = config.emulators?.[name]?.port;
    if (!Number.isInteger(value)) throw new Error(`${firebaseJsonPath}: emulators.${name}.port is missing`);
    return value as number;
  };
  return { pubsub: port('pubsub'), firestore: port('firestore') };
}
