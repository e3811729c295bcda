import type { Stack } from './stack/stack';
import { SCHEDULES } from '../shared/topology/schedules';
import { SMTP_DEFAULTS } from '../functions/common/alerts/smtp-settings';

/** What runs where, the environment that points a client at it, and a first thing to try. */
export function describeStack(stack: Stack): string {
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
  ].join('\n');
}
