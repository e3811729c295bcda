import { join } from 'node:path';
import { DASHBOARD_FUNCTION, loadTopology, type Topology } from '../../shared/topology/topology';
import { SCHEDULES } from '../../shared/topology/schedules';
import { abortable, allStarted } from './abortable';
import { startEmulator } from './emulators';
import { startFunction, type DeployedPackage, type FunctionProcess } from './functions-runner';
import { startLocalScheduler } from './local-scheduler';
import { startLocalSecretManager } from './local-secret-manager';
import { startMailCatcher, type MailCatcher, type MailCatcherOptions } from './mail-catcher';
import { assertPortsFree, type PortClaim } from './port-claims';
import { freePort } from './ports';
import { provisionPushSubscriptions, provisionTopics } from './provision';
import { repoRoot } from './repo-root';
import { functionPorts, stackFunctions } from './stack-functions';
import { Teardown } from './teardown';

export interface StackOptions {
  /** A `demo-` project id keeps every Google client away from real services. */
  projectId?: string;
  /** Emulator ports; 0 picks a free one. Ignored for emulators passed in `reuse`. */
  ports?: { pubsub?: number; firestore?: number };
  /** Java heap caps (e.g. `2g`); default 256m each. Benchmarks with 10k+ documents per window need more. */
  emulatorHeap?: { pubsub?: string; firestore?: string };
  /** Use already running emulators (`host:port`) instead of starting them. */
  reuse?: { pubsubHost: string; firestoreHost: string };
  /** Names of the functions to run; default all in the topology. */
  functions?: readonly string[];
  /** First port for functions (each next one +1); 0 picks free ports. */
  functionBasePort?: number;
  /** Extra environment for the function processes (fault switches, thresholds, …). */
  functionEnv?: NodeJS.ProcessEnv;
  /** Extra node flags for function processes. */
  nodeArgs?: string[];
  /** Run the functions (and dashboard) from an installed source archive instead of this checkout's dist/. */
  deployedPackage?: DeployedPackage;
  /** Run the production schedules (croner) against the stack's topics. */
  schedules?: boolean;
  /** Use this Secret Manager endpoint (`host:port`) instead of starting the in-process one. */
  secretManagerEndpoint?: string;
  /** Run a development mail catcher (maildev) and point the alert senders' SMTP_* at it. */
  mailCatcher?: boolean | MailCatcherOptions;
  /** Also run the dashboard (an HTTP function, not fed by a subscription), on the port after the functions'. */
  dashboard?: boolean;
  /** Receives every output line, tagged with the process name. */
  onLine?: (source: string, line: string) => void;
  /** Told as each phase of start-up ends, with its duration. */
  onPhase?: (phase: StackPhase) => void;
  /**
   * Aborting it at any moment of start-up stops everything started so far; `startStack` then
   * rejects with the signal's reason. After start-up, call `stop()`.
   */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** The phases of `startStack`, in order. */
export const STACK_PHASES = ['emulators', 'topics', 'functions'] as const;

export interface StackPhase {
  name: (typeof STACK_PHASES)[number];
  milliseconds: number;
  /** What the phase brought up, for a progress line. */
  detail: string;
}

export interface Stack {
  projectId: string;
  pubsubHost: string;
  firestoreHost: string;
  /** `host:port` of the Secret Manager the functions use (the in-process one unless given). */
  secretManagerEndpoint: string;
  /** The mail catcher, when the stack runs one. */
  mailCatcher: MailCatcher | undefined;
  topology: Topology;
  functions: FunctionProcess[];
  /** The dashboard, when the stack runs it. */
  dashboard: FunctionProcess<typeof DASHBOARD_FUNCTION> | undefined;
  /** Environment a Google client needs to talk to this stack. */
  clientEnv: NodeJS.ProcessEnv;
  /** Stops (or with `crash`, SIGKILLs) one function and starts it again on the same port. */
  restartFunction(name: string, options?: { env?: NodeJS.ProcessEnv; crash?: boolean }): Promise<FunctionProcess>;
  /** Stops everything the stack started, all at once; safe to call twice; a StopError names what failed. */
  stop(): Promise<void>;
}

const STACK_DEFAULTS = {
  projectId: 'demo-governor',
} as const;

/** Compiled entry point of the functions; `npm run build` makes it. */
export const FUNCTIONS_SOURCE = join(repoRoot(), 'dist/functions/index.js');

/** The fixed (non-zero) ports this stack will listen on, checked before anything starts. */
function portClaims(options: StackOptions, functionNames: readonly string[]): PortClaim[] {
  const claims: PortClaim[] = [];
  if (!options.reuse) {
    if (options.ports?.pubsub) claims.push({ port: options.ports.pubsub, label: 'Pub/Sub emulator', setting: 'pubsub' });
    if (options.ports?.firestore) claims.push({ port: options.ports.firestore, label: 'Firestore emulator', setting: 'firestore' });
  }
  const base = options.functionBasePort;
  if (base) functionNames.forEach((name, i) => claims.push({ port: base + i, label: `function ${name}`, setting: 'functions' }));
  if (base && options.dashboard) claims.push({ port: base + functionNames.length, label: 'dashboard', setting: 'functions' });
  const mail = typeof options.mailCatcher === 'object' ? options.mailCatcher : undefined;
  if (mail?.smtpPort) claims.push({ port: mail.smtpPort, label: 'mail catcher SMTP', setting: 'mail-smtp' });
  if (mail?.webPort) claims.push({ port: mail.webPort, label: 'mail catcher web UI', setting: 'mail-web' });
  return claims;
}

/**
 * Brings up the local Google Cloud stack: emulators (own process groups), the topology's topics
 * and push subscriptions, and each function under functions-framework. `npm start` and the tests
 * both run through here. Each piece is registered for teardown the moment it is up, so a failure
 * or an abort at any point stops exactly what was started.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const projectId = options.projectId ?? STACK_DEFAULTS.projectId;
  const { signal } = options;
  // This process provisions through a Google client too; keep it off the metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const baseEnv = options.env ?? process.env;
  const topology = loadTopology(baseEnv);
  const wanted = stackFunctions(topology, options.functions);
  const onLine = (source: string) => (line: string) => options.onLine?.(source, line);
  const teardown = new Teardown();
  const functions: FunctionProcess[] = [];
  let phaseStarted = performance.now();
  const phaseDone = (name: StackPhase['name'], detail: string): void => {
    const now = performance.now();
    options.onPhase?.({ name, milliseconds: now - phaseStarted, detail });
    phaseStarted = now;
  };
  /** `start`'s result, registered for teardown as soon as it is up. */
  const tracked = <T>(name: string, start: Promise<T>, stop: (started: T) => Promise<void>): Promise<T> =>
    start.then((started) => {
      teardown.add(name, () => stop(started));
      return started;
    });

  signal?.throwIfAborted();
  await assertPortsFree(portClaims(options, wanted.map((f) => f.name)));
  try {
    const reuse = options.reuse;
    const emulator = async (name: 'pubsub' | 'firestore'): Promise<string> =>
      reuse?.[`${name}Host`] ??
      (await tracked(`${name}-emulator`, startEmulator(name, { port: options.ports?.[name] || (await freePort()), ...(options.emulatorHeap?.[name] ? { maxHeap: options.emulatorHeap[name] } : {}), onLine: onLine(`${name}-emulator`), signal }), (e) => e.stop())).hostPort;
    const mailOptions = options.mailCatcher === true ? {} : options.mailCatcher || undefined;
    const [pubsubHost, firestoreHost, secretManagerEndpoint, mailCatcher] = (await allStarted<unknown>([
      emulator('pubsub'),
      emulator('firestore'),
      // Google publishes no Secret Manager emulator: this process serves its API (built from the protos).
      options.secretManagerEndpoint ?? tracked('secret-manager', startLocalSecretManager(), (s) => s.stop()).then((s) => s.endpoint),
      mailOptions && tracked('mail-catcher', startMailCatcher({ ...mailOptions, onLine: onLine('mail-catcher'), signal }), (m) => m.stop()),
    ])) as [string, string, string, MailCatcher | undefined];
    phaseDone('emulators', [`Pub/Sub ${pubsubHost}`, `Firestore ${firestoreHost}`, `Secret Manager ${secretManagerEndpoint}`, ...(mailCatcher ? [`mail catcher ${mailCatcher.webUrl}`] : [])].join(', '));

    await abortable(provisionTopics({ projectId, pubsubHost, topology }), signal);
    phaseDone('topics', `${topology.allTopics.length} topics (${topology.deadLetterSubscriptions.length} of them dead-letter, each with a pull subscription)`);

    const clientEnv: NodeJS.ProcessEnv = {
      GOOGLE_CLOUD_PROJECT: projectId,
      GCLOUD_PROJECT: projectId,
      PUBSUB_EMULATOR_HOST: pubsubHost,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      GOVERNOR_SECRET_MANAGER_ENDPOINT: secretManagerEndpoint,
      // Without this every Google client probes the metadata server before its first call.
      METADATA_SERVER_DETECTION: 'none',
    };
    const functionEnv = { ...baseEnv, ...clientEnv, ...mailCatcher?.smtpEnv, ...options.functionEnv };
    const ports = await functionPorts(wanted, options.functionBasePort);
    const forget = new Map<string, () => void>();
    const launch = async (name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<FunctionProcess> => {
      const spec = wanted.find((f) => f.name === name);
      if (!spec) throw new Error(`function ${name} is not part of this stack`);
      if (teardown.stopping) throw new Error(`the stack is stopped: ${name} was not started`);
      const started = await startFunction({
        spec,
        port: ports.get(name) as number,
        source: FUNCTIONS_SOURCE,
        env: { ...functionEnv, ...extraEnv },
        nodeArgs: options.nodeArgs,
        deployedPackage: options.deployedPackage,
        onLine: onLine(spec.name),
        signal,
      });
      forget.set(name, teardown.add(`function ${name}`, () => started.process.stop()));
      return started;
    };
    functions.push(...(await allStarted(wanted.map((spec) => launch(spec.name)))));
    const dashboard = options.dashboard
      ? await tracked(
          'dashboard',
          startFunction({
            spec: DASHBOARD_FUNCTION,
            port: options.functionBasePort ? options.functionBasePort + wanted.length : await freePort(),
            source: FUNCTIONS_SOURCE,
            env: functionEnv,
            nodeArgs: options.nodeArgs,
            deployedPackage: options.deployedPackage,
            onLine: onLine(DASHBOARD_FUNCTION.name),
            signal,
          }),
          (d) => d.process.stop(),
        )
      : undefined;
    // Subscriptions last: a push to a function that is not listening yet would burn delivery attempts.
    await abortable(provisionPushSubscriptions({ projectId, pubsubHost, topology, functionUrls: Object.fromEntries(functions.map((f) => [f.spec.name, f.url])) }), signal);
    if (options.schedules) {
      const scheduler = startLocalScheduler({ projectId, pubsubHost, topology, schedules: SCHEDULES, onEvent: (line) => options.onLine?.('scheduler', line) });
      teardown.add('scheduler', () => scheduler.stop());
    }
    const portList = functions.map((f) => f.port);
    phaseDone('functions', `${functions.length} on ports ${portList.join(', ')}, each with its push subscription${dashboard ? `; dashboard on ${dashboard.port}` : ''}${options.schedules ? `; ${SCHEDULES.length} schedules` : ''}`);
    signal?.throwIfAborted();

    return {
      projectId,
      pubsubHost,
      firestoreHost,
      secretManagerEndpoint,
      mailCatcher,
      topology,
      functions,
      dashboard,
      clientEnv,
      async restartFunction(name, restart = {}) {
        const index = functions.findIndex((f) => f.spec.name === name);
        if (index < 0) throw new Error(`function ${name} is not running`);
        const running = (functions[index] as FunctionProcess).process;
        forget.get(name)?.();
        await (restart.crash ? running.kill() : running.stop());
        const restarted = await launch(name, restart.env);
        functions[index] = restarted;
        return restarted;
      },
      stop: () => teardown.run(),
    };
  } catch (error) {
    const stopped = await teardown.run().then(
      () => undefined,
      (stopError: Error) => stopError,
    );
    if (stopped) throw new AggregateError([error, stopped], `${(error as Error).message ?? String(error)}; and then ${stopped.message}`);
    throw error;
  }
}
