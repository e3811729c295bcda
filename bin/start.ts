import { join } from 'node:path';
import { firebaseEmulatorPorts } from './stack/emulators';
import { repoRoot } from './stack/repo-root';
import { DEMO_ROTATION, seedLocalDemo } from './stack/local-demo';
import { startStack, type Stack } from './stack/stack';
import { SCHEDULES } from '../shared/topology/schedules';
import { SMTP_DEFAULTS } from '../functions/common/alerts/smtp-settings';

/** Port of the first function; the rest follow. GOVERNOR_FUNCTIONS_PORT overrides it (0: any free ports). */
const DEFAULT_FUNCTIONS_PORT = 8181;
/** maildev's usual ports; GOVERNOR_MAIL_SMTP_PORT / GOVERNOR_MAIL_WEB_PORT override them (0: free ports). */
const DEFAULT_MAIL_PORTS = { smtp: 1025, web: 1080 } as const;

function prefixed(source: string, line: string): void {
  process.stdout.write(`[${source}] ${line}\n`);
}

function describe(stack: Stack): string {
  const rows = [
    ['Pub/Sub emulator', stack.pubsubHost],
    ['Firestore emulator', stack.firestoreHost],
    ['Secret Manager', `${stack.secretManagerEndpoint} (in-process, built from the client's protos)`],
    stack.mailCatcher
      ? ['Alert email', `${stack.mailCatcher.webUrl}  ← read it here (maildev, SMTP ${stack.mailCatcher.smtpHost}:${stack.mailCatcher.smtpPort})`]
      : ['Alert email', `SMTP ${process.env.SMTP_HOST}:${process.env.SMTP_PORT ?? SMTP_DEFAULTS.port} (from SMTP_HOST)`],
    ...stack.functions.map((f) => [`fn ${f.spec.name}`, `${f.url}  ← push from ${f.spec.subscription.name} (${f.spec.subscription.topic})`]),
    ...(stack.dashboard ? [['Dashboard', `${stack.dashboard.url}/  ← open in a browser (loopback only)`]] : []),
    ...stack.topology.deadLetterSubscriptions.map((d) => ['dead letters', `${d.topic} → pull ${d.name}`]),
    ...SCHEDULES.map((s) => [`schedule`, `${s.name}: "${s.cron}" → ${stack.topology.topics[s.topic]}`]),
  ];
  const width = Math.max(...rows.map(([k]) => (k as string).length));
  return [
    `Governor local stack — project ${stack.projectId}`,
    ...rows.map(([k, v]) => `  ${(k as string).padEnd(width)}  ${v}`),
    '',
    'Point agents and the CLI at it with:',
    ...Object.entries(stack.clientEnv).map(([k, v]) => `  export ${k}=${v}`),
    '',
    'See an alert email: set a budget and spend past 80 % of it, then open the mail link above:',
    '  npx governor budget set total 10 && npx governor publish cost --category AI_API_CALLS --usd 8.5',
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}

async function main(): Promise<void> {
  const configured = firebaseEmulatorPorts(join(repoRoot(), 'firebase.json'));
  // firebase.json names the ports; the env may move them (e.g. when 8080 is taken).
  const ports = {
    pubsub: Number(process.env.GOVERNOR_PUBSUB_PORT ?? configured.pubsub),
    firestore: Number(process.env.GOVERNOR_FIRESTORE_PORT ?? configured.firestore),
  };
  const verbose = process.env.GOVERNOR_VERBOSE === '1';
  const stack = await startStack({
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
    onLine: (source, line) => (verbose || !source.endsWith('-emulator') ? prefixed(source, line) : undefined),
  });
  // This process talks to the stack too (the demo seed): the same environment as the functions.
  Object.assign(process.env, stack.clientEnv);
  const seeded = await seedLocalDemo(stack);
  process.stdout.write(`${describe(stack)}\n`);
  if (seeded) process.stdout.write(`\nDemo: secret ${seeded} rotates every ${DEMO_ROTATION.periodHours * 60} min (grace ${DEMO_ROTATION.graceHours * 60} min); \`npx governor keys status\` shows it.\n`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping functions and emulators…\n`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`governor: could not start the local stack: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
