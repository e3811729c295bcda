import type { Command } from 'commander';
import { readLedgerEntry } from '../../shared/store/spend-shards';
import { withCliContext, CliError } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

export function registerEventsCommand(program: Command): void {
  const events = program.command('events').description('read what the functions recorded');
  events
    .command('show <eventId>')
    .description('show the recorded cost event with this id, its priced amount and period')
    .addOption(jsonOption())
    .action(async (eventId: string, opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const entry = await readLedgerEntry(ctx.firestore(), eventId);
        if (!entry) throw new CliError(`no cost event ${eventId} is recorded in project ${ctx.projectId}`);
        printResult(entry, opts, () => JSON.stringify(entry, null, 2));
      });
    });
}
