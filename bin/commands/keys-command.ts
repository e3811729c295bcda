import type { Command } from 'commander';
import { rotateKeyNow } from '../../functions/common/operator/operator-actions';
import { keyRotationStatus } from '../../shared/reports/rotation-status';
import { updateRotationConfig } from '../../shared/store/rotation-config-store';
import { withCliContext, operatorDeps } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(2)} h`;

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys in Secret Manager: rotation settings, status, rotate now');

  keys
    .command('status')
    .description('versions (state, age) and next rotation of every configured secret')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const status = await keyRotationStatus(ctx.secretManager(), ctx.firestore(), ctx.projectId);
          printResult(status, opts, () =>
            status.length === 0
              ? 'no secret has rotation settings (governor keys configure <secret> …)'
              : status
                  .map((s) =>
                    [
                      s.problem ? `${s.secret}: ${s.problem}` : `${s.secret}: every ${hours(s.settings.periodHours * 3_600_000)}, grace ${hours(s.settings.graceHours * 3_600_000)}, keep ${s.settings.retention}; next rotation ${s.nextRotationAt ?? 'now'}${s.due ? ' (due)' : ''}`,
                      ...s.versions.map((v) => `  v${v.version}  ${v.state.padEnd(9)}  age ${hours(v.ageHours * 3_600_000)}`),
                    ].join('\n'),
                  )
                  .join('\n'),
          );
      });
    });

  keys
    .command('rotate <secret>')
    .description('rotate a configured secret now (a new key; the previous one stays valid for the grace window)')
    .action(async (secret: string) => {
      await withCliContext(async (ctx) => {
        const outcome = await rotateKeyNow(operatorDeps(ctx), secret);
        process.stdout.write(
          outcome.rotated ? `${secret}: version ${outcome.newVersion} (key id ${outcome.keyId}) is now current\n` : `${secret}: not rotated (${outcome.reason})\n`,
        );
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
