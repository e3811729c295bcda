import { join } from 'node:path';
import { firebaseEmulatorPorts } from './stack/emulators';
import { repoRoot } from './stack/repo-root';
import { DEMO_ROTATION, seedLocalDemo } from './stack/local-demo';
import { abortable } from './stack/abortable';
import { PortsInUseError, type PortClaim } from './stack/port-claims';
import { startStack, type Stack } from './stack/stack';
import { onStopSignals, StopSignalError } from './stack/stop-signals';
import { describeStack } from './start-banner';

/** Port of the first function; the rest follow. GOVERNOR_FUNCTIONS_PORT overrides it (0: any free ports). */
export const DEFAULT_FUNCTIONS_PORT = 8181;
/** maildev's usual ports; GOVERNOR_MAIL_SMTP_PORT / GOVERNOR_MAIL_WEB_PORT override them (0: free ports). */
export const DEFAULT_MAIL_PORTS = { smtp: 1025, web: 1080 } as const;
/** Longest a stop may take before the remaining process groups are SIGKILLed (each process gets 5 s of grace). */
const STOP_DEADLINE_MILLISECONDS = 20_000;
/** The variable that moves each fixed port, for the "port taken" advice. */
const PORT_VARIABLES: Record<PortClaim['setting'], string> = {
  pubsub: 'GOVERNOR_PUBSUB_PORT',
  firestore: 'GOVERNOR_FIRESTORE_PORT',
  functions: 'GOVERNOR_FUNCTIONS_PORT',
  'mail-smtp': 'GOVERNOR_MAIL_SMTP_PORT',
  'mail-web': 'GOVERNOR_MAIL_WEB_PORT',
};

/** What the launcher (bin/npm-start.js) measured before this module was loaded. */
export interface LaunchTimes {
  /** `Date.now()` when `npm start` began; default: when main() began. */
  startedAt?: number;
  buildMilliseconds?: number;
}

/** When the first stop signal came, so "Stopped" reports how long stopping took. */
let signalledAt: number | undefined;

const out = (text: string): boolean => process.stdout.write(`${text}\n`);
const seconds = (milliseconds: number): string => `${(milliseconds / 1000).toFixed(1)} s`;
const phaseLine = (name: string, milliseconds: number, detail = ''): boolean => out(`  ${name.padEnd(10)} ${seconds(milliseconds).padStart(7)}  ${detail}`.trimEnd());

function portAdvice(error: PortsInUseError): string {
  const lines = [...new Set(error.taken.map((t) => t.setting))].map((setting) => {
    const taken = error.taken.filter((t) => t.setting === setting);
    const ports = taken.length > 1 ? `ports ${taken[0]?.port}–${taken.at(-1)?.port}` : `port ${taken[0]?.port}`;
    const what = setting === 'functions' ? 'functions' : taken[0]?.label;
    return `  ${ports} (${what}) — moved by ${PORT_VARIABLES[setting]}`;
  });
  const variables = [...new Set(error.taken.map((t) => PORT_VARIABLES[t.setting]))];
  return [
    'ports already in use:',
    ...lines,
    'Another `npm start` (or another program) is listening there. Stop it (Ctrl-C in its terminal), or move this stack:',
    `  ${variables.map((v) => `${v}=0`).join(' ')} npm start      # 0 = any free port; or give a port number`,
  ].join('\n');
}

/** Runs the local stack until a stop signal; every child is stopped whenever the signal comes. */
export async function main(launch: LaunchTimes = {}): Promise<void> {
  const startedAt = launch.startedAt ?? Date.now();
  // A closed terminal (SIGHUP) makes every write fail; stopping must go on regardless.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // In place before the first child starts: a signal at any later moment stops what is running.
  const stopping = new AbortController();
  onStopSignals((signal) => {
    signalledAt = performance.now();
    out(`\n${signal}: stopping everything the stack started…`);
    setTimeout(() => {
      process.stderr.write(`governor: stopping took over ${seconds(STOP_DEADLINE_MILLISECONDS)}; killing what is left\n`);
      // The exit hook (bin/stack/live-groups.ts) SIGKILLs every process group still running.
      process.exit(1);
    }, STOP_DEADLINE_MILLISECONDS).unref();
    stopping.abort(new StopSignalError(signal));
  });

  const configured = firebaseEmulatorPorts(join(repoRoot(), 'firebase.json'));
  // firebase.json names the ports; the env may move them (e.g. when 8080 is taken).
  const ports = {
    pubsub: Number(process.env.GOVERNOR_PUBSUB_PORT ?? configured.pubsub),
    firestore: Number(process.env.GOVERNOR_FIRESTORE_PORT ?? configured.firestore),
  };
  const verbose = process.env.GOVERNOR_VERBOSE === '1';
  out('Starting the Governor local stack (Ctrl-C at any moment stops it):');
  if (launch.buildMilliseconds !== undefined) phaseLine('build', launch.buildMilliseconds, 'tsc');
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'demo-governor',
      ports,
      functionBasePort: Number(process.env.GOVERNOR_FUNCTIONS_PORT ?? DEFAULT_FUNCTIONS_PORT),
      schedules: true,
      dashboard: true,
      // An SMTP_HOST in the environment is used as is; otherwise the mail catcher receives alert email.
      mailCatcher: process.env.SMTP_HOST
        ? false
        : { smtpPort: Number(process.env.GOVERNOR_MAIL_SMTP_PORT ?? DEFAULT_MAIL_PORTS.smtp), webPort: Number(process.env.GOVERNOR_MAIL_WEB_PORT ?? DEFAULT_MAIL_PORTS.web) },
      // Function logs always show; emulator chatter only with GOVERNOR_VERBOSE=1.
      onLine: (source, line) => (verbose || !source.endsWith('-emulator') ? out(`[${source}] ${line}`) : undefined),
      onPhase: (phase) => phaseLine(phase.name, phase.milliseconds, phase.detail),
      signal: stopping.signal,
    });
    // This process talks to the stack too (the demo seed): the same environment as the functions.
    Object.assign(process.env, stack.clientEnv);
    const seedStarted = performance.now();
    const seeded = await abortable(seedLocalDemo(stack), stopping.signal);
    phaseLine('seed', performance.now() - seedStarted, seeded ? `demo secret ${seeded}` : 'kept the rotation settings already stored');
    out(`\n${describeStack(stack)}`);
    if (seeded) out(`\nDemo: secret ${seeded} rotates every ${DEMO_ROTATION.periodHours * 60} min (grace ${DEMO_ROTATION.graceHours * 60} min); \`npx governor keys status\` shows it.`);
    out(`\nReady in ${seconds(Date.now() - startedAt)}. Ctrl-C stops everything.`);
    await new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    await stop(stack, 0);
  } catch (error) {
    if (error instanceof StopSignalError) {
      // startStack stopped what it had started; after it returned, the stack is ours to stop.
      await stop(stack, error.exitCode);
    }
    process.stderr.write(`governor: could not start the local stack: ${error instanceof PortsInUseError ? portAdvice(error) : ((error as Error).stack ?? String(error))}\n`);
    await stop(stack, 1);
  }
}

/** Stops the stack (if any) and exits with `code`, or with 1 if something could not be stopped. */
async function stop(stack: Stack | undefined, code: number): Promise<never> {
  const began = signalledAt ?? performance.now();
  try {
    await stack?.stop();
    if (stack || signalledAt !== undefined) out(`Stopped everything (${seconds(performance.now() - began)}).`);
    process.exit(code);
  } catch (error) {
    process.stderr.write(`governor: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
