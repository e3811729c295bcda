import type { Command } from 'commander';
import { readLedgerEntry } from '../../shared/store/spend-shards';
import { withCliContext, CliError, output } from './cli-context';

export function registerEventsCommand(program: Command): void {
  const events = program.command('events').description('read what the functions recorded');
  events
    .command('show <eventId>')
    .description('show the recorded cost event with this id, its priced amount and period')
    .option('--json', 'print JSON')
    .action(async (eventId: string, opts: { json?: boolean }) => {
      await withCliContext(async (ctx) => {
        const entry = await readLedgerEntry(ctx.firestore(), eventId);
        if (!entry) throw new CliError(`no cost event ${eventId} is recorded in project ${ctx.projectId}`);
        output(entry, Boolean(opts.json), () => JSON.stringify(entry, null, 2));
      });
    });
}
