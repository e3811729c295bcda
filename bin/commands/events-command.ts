import type { Command } from 'commander';
import { COLLECTIONS } from '../../shared/store/collections';
import { cliContext, CliError, output, plainData } from './cli-context';

export function registerEventsCommand(program: Command): void {
  const events = program.command('events').description('read what the functions recorded');
  events
    .command('show <eventId>')
    .description('show the recorded cost event with this id')
    .option('--json', 'print JSON')
    .action(async (eventId: string, opts: { json?: boolean }) => {
      const ctx = cliContext();
      try {
        const doc = await ctx.firestore().collection(COLLECTIONS.costEvents).doc(eventId).get();
        if (!doc.exists) throw new CliError(`no cost event ${eventId} is recorded in project ${ctx.projectId}`);
        const plain = plainData(doc.data());
        output(plain, Boolean(opts.json), () => JSON.stringify(plain, null, 2));
      } finally {
        await ctx.close();
      }
    });
}
