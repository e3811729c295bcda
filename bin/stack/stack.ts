import { join } from 'node:path';
import { DASHBOARD_FUNCTION, loadTopology, type Topology } from '../../shared/topology/topology';
import { startEmulator, type EmulatorHandle } from './emulators';
import { startFunction, type FunctionProcess } from './functions-runner';
import { freePort } from './ports';
import { SCHEDULES } from '../../shared/topology/schedules';
import { startLocalScheduler, type LocalScheduler } from './local-scheduler';
import { startLocalSecretManager, type LocalSecretManager } from './local-secret-manager';
import { startMailCatcher, type MailCatcher, type MailCatcherOptions } from './mail-catcher';
import { provisionPubSub } from './provision';
import { repoRoot } from './repo-root';

export interface StackOptions {
  /** A `demo-` project id keeps every Google client away from real services. */
  projectId?: string;
  /** Emulator ports; 0 picks a free one. Ignored for emulators passed in `reuse`. */
  ports?: { pubsub?: number; firestore?: number };
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
  /** Run the production schedules (croner) against the stack's topics. */
  schedules?: boolean;
  /** Use this Secret Manager endpoint (`host:port`) instead of starting the in-process one. */
  secretManagerEndpoint?: string;
  /** Run a development mail catcher (maildev) and point the alert senders' SMTP_* at it. */
  mailCatcher?: boolean | MailCatcherOptions;
  /** Also run the dashboard (an HTTP function, not fed by a subscription). */
  dashboard?: boolean;
  /** Receives every output line, tagged with the process name. */
  onLine?: (source: string, line: string) => void;
  env?: NodeJS.ProcessEnv;
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
  stop(): Promise<void>;
}

const STACK_DEFAULTS = {
  projectId: 'demo-governor',
} as const;

/** Compiled entry point of the functions; `npm run build` makes it. */
export const FUNCTIONS_SOURCE = join(repoRoot(), 'dist/functions/index.js');

/**
 * Brings up the local Google Cloud stack: emulators (own process groups), the topology's topics
 * and push subscriptions, and each function under functions-framework. `npm start` and the tests
 * both run through here.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const projectId = options.projectId ?? STACK_DEFAULTS.projectId;
  // This process provisions through a Google client too; keep it off the metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const baseEnv = options.env ?? process.env;
  const topology = loadTopology(baseEnv);
  const emulators: EmulatorHandle[] = [];
  const functions: FunctionProcess[] = [];
  const onLine = (source: string) => (line: string) => options.onLine?.(source, line);

  let scheduler: LocalScheduler | undefined;
  let secretManager: LocalSecretManager | undefined;
  let mailCatcher: MailCatcher | undefined;
  let dashboard: FunctionProcess<typeof DASHBOARD_FUNCTION> | undefined;
  const stop = async (): Promise<void> => {
    await scheduler?.stop();
    await secretManager?.stop();
    await Promise.all([...functions.map((f) => f.process.stop()), dashboard?.process.stop()]);
    await Promise.all([...emulators.map((e) => e.stop()), mailCatcher?.stop()]);
  };

  try {
    let pubsubHost = options.reuse?.pubsubHost;
    let firestoreHost = options.reuse?.firestoreHost;
    if (!pubsubHost || !firestoreHost) {
      const [pubsub, firestore] = await Promise.all([
        startEmulator('pubsub', { port: options.ports?.pubsub || (await freePort()), onLine: onLine('pubsub-emulator') }),
        startEmulator('firestore', { port: options.ports?.firestore || (await freePort()), onLine: onLine('firestore-emulator') }),
      ]);
      emulators.push(pubsub, firestore);
      pubsubHost = pubsub.hostPort;
      firestoreHost = firestore.hostPort;
    }

    // Google publishes no Secret Manager emulator: this process serves its API (built from the protos).
    if (!options.secretManagerEndpoint) secretManager = await startLocalSecretManager();
    const secretManagerEndpoint = options.secretManagerEndpoint ?? (secretManager as LocalSecretManager).endpoint;

    const clientEnv: NodeJS.ProcessEnv = {
      GOOGLE_CLOUD_PROJECT: projectId,
      GCLOUD_PROJECT: projectId,
      PUBSUB_EMULATOR_HOST: pubsubHost,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      GOVERNOR_SECRET_MANAGER_ENDPOINT: secretManagerEndpoint,
      // Without this every Google client probes the metadata server before its first call.
      METADATA_SERVER_DETECTION: 'none',
    };
    const wanted = topology.functions.filter((f) => !options.functions || options.functions.includes(f.name));
    const unknown = (options.functions ?? []).filter((name) => !topology.functions.some((f) => f.name === name));
    if (unknown.length > 0) throw new Error(`unknown function(s): ${unknown.join(', ')}`);

    if (options.mailCatcher) {
      mailCatcher = await startMailCatcher({ ...(options.mailCatcher === true ? {} : options.mailCatcher), onLine: onLine('mail-catcher') });
    }
    const functionEnv = { ...baseEnv, ...clientEnv, ...mailCatcher?.smtpEnv, ...options.functionEnv };
    const ports = new Map<string, number>();
    for (const [i, spec] of wanted.entries()) {
      ports.set(spec.name, options.functionBasePort ? options.functionBasePort + i : await freePort());
    }
    const launch = (name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<FunctionProcess> => {
      const spec = wanted.find((f) => f.name === name);
      if (!spec) throw new Error(`function ${name} is not part of this stack`);
      return startFunction({
        spec,
        port: ports.get(name) as number,
        source: FUNCTIONS_SOURCE,
        env: { ...functionEnv, ...extraEnv },
        nodeArgs: options.nodeArgs,
        onLine: onLine(spec.name),
      });
    };
    functions.push(...(await Promise.all(wanted.map((spec) => launch(spec.name)))));
    if (options.dashboard) {
      dashboard = await startFunction({
        spec: DASHBOARD_FUNCTION,
        port: options.functionBasePort ? options.functionBasePort + wanted.length : await freePort(),
        source: FUNCTIONS_SOURCE,
        env: functionEnv,
        nodeArgs: options.nodeArgs,
        onLine: onLine(DASHBOARD_FUNCTION.name),
      });
    }

    // Subscriptions last: a push to a function that is not listening yet would burn delivery attempts.
    await provisionPubSub({
      projectId,
      pubsubHost,
      topology,
      functionUrls: Object.fromEntries(functions.map((f) => [f.spec.name, f.url])),
    });

    if (options.schedules) {
      scheduler = startLocalScheduler({ projectId, pubsubHost, topology, schedules: SCHEDULES, onEvent: (line) => options.onLine?.('scheduler', line) });
    }

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
        await (restart.crash ? running.kill() : running.stop());
        const restarted = await launch(name, restart.env);
        functions[index] = restarted;
        return restarted;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
