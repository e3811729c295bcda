import type { Command } from 'commander';
import { flushDigests } from '../../functions/common/operator/operator-actions';
import { parseAlertRouting, type AlertRoute } from '../../shared/alerts/alert-routing';
import { listDeliveries, type DeliveryStatus } from '../../shared/store/alert-deliveries-store';
import { loadAlertRouting, updateAlertRouting } from '../../shared/store/alert-routing-store';
import { CliError, intOption, readJsonFile, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

const STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'sent', 'dead-lettered'];
const matches = (r: AlertRoute) =>
  [r.kinds.length ? `kinds ${r.kinds.join('|')}` : '', r.severities.length ? `severity ${r.severities.join('|')}` : '', r.categories.length ? `category ${r.categories.join('|')}` : ''].filter(Boolean).join(', ') || 'every alert';

export function registerAlertsCommand(program: Command): void {
  const alerts = program.command('alerts').description('alert email: routing, deliveries, send queued digests now');
  const routing = alerts.command('routing').description('who gets which alerts, and the digest window');

  routing
    .command('show', { isDefault: true })
    .description('the routing in force')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const loaded = await loadAlertRouting(ctx.firestore());
        printResult(loaded, opts, () =>
          [
            `routing: ${loaded.origin}${loaded.rejected ? ` (stored routing rejected: ${loaded.rejected})` : ''}`,
            `  from ${loaded.config.from}; at most one email per route every ${loaded.config.digestWindowSeconds} s (the rest is sent as a digest)`,
            ...loaded.config.routes.map((r) => `  ${r.id}: ${matches(r)} → ${r.to.join(', ')}`),
          ].join('\n'),
        );
      });
    });

  routing
    .command('set <file>')
    .description('replace the routing with a JSON file ({from, digestWindowSeconds, routes:[{id, kinds?, severities?, categories?, to}]}); invalid routing changes nothing')
    .action(async (file: string) => {
      const next = parseAlertRouting(readJsonFile(file));
      await withCliContext(async (ctx) => {
        await updateAlertRouting(ctx.firestore(), () => next);
        process.stdout.write(`${next.routes.length} route(s) in force\n`);
      });
    });

  alerts
    .command('deliveries')
    .description('recent alert deliveries, newest first: queued, sending, sent or dead-lettered, with the last error')
    .option('--status <status>', `only one of ${STATUSES.join(', ')}`)
    .option('--limit <n>', 'most deliveries to list', '20')
    .addOption(jsonOption())
    .action(async (opts: { status?: string; limit: string } & JsonFlag) => {
      if (opts.status && !STATUSES.includes(opts.status as DeliveryStatus)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`);
      const limit = intOption(opts.limit, 'limit', { min: 1, max: 1000 });
      await withCliContext(async (ctx) => {
        const rows = (await listDeliveries(ctx.firestore(), { status: opts.status as DeliveryStatus | undefined, limit })).map((d) => ({
          route: d.routeId,
          delivery: d.deliveryKey,
          kind: d.alert.kind,
          status: d.status,
          attempts: d.attempts,
          queuedAt: new Date(d.queuedAt).toISOString(),
          sentAt: d.sentAt?.toDate().toISOString(),
          lastError: d.lastError,
        }));
        printResult(rows, opts, () =>
          rows.length === 0
            ? 'no alert deliveries'
            : rows.map((r) => `${r.queuedAt}  ${r.status.padEnd(13)} ${r.route}  ${r.kind}  ${r.delivery}${r.attempts ? `  (${r.attempts} failed: ${r.lastError ?? '?'})` : ''}`).join('\n'),
        );
      });
    });

  alerts
    .command('flush')
    .description('send every queued digest now instead of at the end of its window')
    .action(async () => {
      await withCliContext(async (ctx) => {
        const id = await flushDigests({ pubsub: ctx.pubsub(), topology: ctx.topology });
        process.stdout.write(`flush published (${id}); \`governor alerts deliveries\` shows the result\n`);
      });
    });
}
