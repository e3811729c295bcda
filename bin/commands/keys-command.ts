import type { Command } from 'commander';
import { createLogger } from '../../shared/logging/logger';
import { listVersions, rotateSecret } from '../../shared/secrets/key-rotation';
import { rotationAnnouncer } from '../../shared/secrets/rotation-event';
import { planRotation } from '../../shared/secrets/rotation-policy';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { loadRotationConfig, updateRotationConfig } from '../../shared/store/rotation-config-store';
import { withCliContext, CliError, output } from './cli-context';

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(2)} h`;

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys in Secret Manager: rotation settings, status, rotate now');

  keys
    .command('status')
    .description('versions (state, age) and next rotation of every configured secret')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withCliContext(async (ctx) => {
        const client = secretManagerClient(ctx.projectId);
        try {
          const config = (await loadRotationConfig(ctx.firestore())).config;
          const now = Date.now();
          const status = await Promise.all(
            Object.entries(config.secrets).map(async ([secret, settings]) => {
              const versions = await listVersions(client, ctx.projectId, secret);
              const plan = planRotation(versions, settings, now);
              return {
                secret,
                settings,
                versions: versions.map((v) => ({ version: v.number, state: v.state, createdAt: new Date(v.createTime).toISOString(), ageHours: +((now - v.createTime) / 3_600_000).toFixed(3) })),
                nextRotationAt: plan.nextRotationAt === undefined ? null : new Date(plan.nextRotationAt).toISOString(),
                due: plan.rotate,
              };
            }),
          );
          output(status, Boolean(opts.json), () =>
            status.length === 0
              ? 'no secret has rotation settings (governor keys configure <secret> …)'
              : status
                  .map((s) =>
                    [
                      `${s.secret}: every ${hours(s.settings.periodHours * 3_600_000)}, grace ${hours(s.settings.graceHours * 3_600_000)}, keep ${s.settings.retention}; next rotation ${s.nextRotationAt ?? 'now'}${s.due ? ' (due)' : ''}`,
                      ...s.versions.map((v) => `  v${v.version}  ${v.state.padEnd(9)}  age ${hours(v.ageHours * 3_600_000)}`),
                    ].join('\n'),
                  )
                  .join('\n'),
          );
        } finally {
          await client.close();
        }
      });
    });

  keys
    .command('rotate <secret>')
    .description('rotate a configured secret now (a new key; the previous one stays valid for the grace window)')
    .action(async (secret: string) => {
      await withCliContext(async (ctx) => {
        const client = secretManagerClient(ctx.projectId);
        try {
          const settings = (await loadRotationConfig(ctx.firestore())).config.secrets[secret];
          if (!settings) throw new CliError(`${secret} has no rotation settings: governor keys configure ${secret} --period-hours … --grace-hours … --retention …`);
          const outcome = await rotateSecret(
            {
              client,
              db: ctx.firestore(),
              projectId: ctx.projectId,
              now: () => new Date(),
              log: createLogger({ component: 'governor-cli', level: 'warn', destination: process.stderr as never }),
              announce: rotationAnnouncer(ctx.pubsub(), ctx.topology.topics.security, 'governor-cli'),
            },
            secret,
            settings,
            { force: true, reason: `operator (${process.env.USER ?? 'cli'})` },
          );
          if (outcome.status === 'busy') throw new CliError(`another rotation of ${secret} is running; try again in a minute`);
          process.stdout.write(
            outcome.rotated ? `${secret}: version ${outcome.newVersion} (key id ${outcome.keyId}) is now current\n` : `${secret}: not rotated (a version was added less than a minute ago)\n`,
          );
        } finally {
          await client.close();
        }
      });
    });

  keys
    .command('configure <secret>')
    .description('set how a secret is rotated (validated; nothing changes on a bad value)')
    .requiredOption('--period-hours <n>', 'rotate when the newest version is this old')
    .requiredOption('--grace-hours <n>', 'keep the previous version valid this long')
    .option('--retention <n>', 'versions to keep (at least 2)', '5')
    .action(async (secret: string, opts: { periodHours: string; graceHours: string; retention: string }) => {
      await withCliContext(async (ctx) => {
        // updateRotationConfig validates the result: a bad value throws, naming the field, and changes nothing.
        const next = await updateRotationConfig(ctx.firestore(), (c) => ({
          secrets: { ...c.secrets, [secret]: { periodHours: Number(opts.periodHours), graceHours: Number(opts.graceHours), retention: Number(opts.retention) } },
        }));
        process.stdout.write(`${secret}: ${JSON.stringify(next.secrets[secret])}\n`);
      });
    });
}
