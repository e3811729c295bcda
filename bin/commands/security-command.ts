import type { Command } from 'commander';
import { liftBanOf, parseSubject } from '../../functions/common/operator/operator-actions';
import { securityReport } from '../../shared/reports/security-report';
import { banView, listBans } from '../../shared/store/bans-store';
import { withCliContext, CliError, operatorDeps } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

export function registerSecurityCommands(program: Command): void {
  const bans = program.command('bans').description('fail2ban-style bans of IPs and users');
  bans
    .command('list')
    .description('bans (active by default)')
    .option('--all', 'include expired and lifted bans (their history drives escalation)')
    .addOption(jsonOption())
    .action(async (opts: { all?: boolean } & JsonFlag) => {
      await withCliContext(async (ctx) => {
        const now = new Date();
        const list = (await listBans(ctx.firestore(), { activeOnly: !opts.all, now })).map((b) => banView(b, now));
        printResult(list, opts, () =>
          list.length === 0 ? 'no bans' : list.map((b) => `${b.subjectType} ${b.subject}  ${b.active ? `banned until ${b.until}` : `expired ${b.until}`}  (${b.level}, offense ${b.offense}) — ${b.reason}; ${b.suppressedEvents} events dropped`).join('\n'),
        );
      });
    });
  bans
    .command('lift <subject>')
    .description('end an active ban now: an IP, or a user id (prefix ip: or user: to be explicit)')
    .action(async (text: string) => {
      parseSubject(text);
      await withCliContext(async (ctx) => {
        const subject = await liftBanOf(operatorDeps(ctx), text);
        process.stdout.write(`lifted the ban on ${subject.type} ${subject.value}\n`);
      });
    });

  const security = program.command('security').description('security events and bans');
  security
    .command('report')
    .description('counts by type, top IPs and users, bans and key rotations')
    .option('--hours <n>', 'how far back', '24')
    .addOption(jsonOption())
    .action(async (opts: { hours: string } & JsonFlag) => {
      const hours = Number(opts.hours);
      if (!(hours > 0 && hours <= 24 * 90)) throw new CliError(`--hours must be between 0 and 2160, got "${opts.hours}"`);
      await withCliContext(async (ctx) => {
        const report = await securityReport(ctx.firestore(), hours);
        printResult(report, opts, () =>
          [
            `Security, last ${hours} h: ${report.events} events`,
            ...Object.entries(report.byKind).filter(([, n]) => n > 0).map(([k, n]) => `  ${k.padEnd(24)} ${n}`),
            'Top IPs:',
            ...report.topIps.map((s) => `  ${s.ip.padEnd(40)} ${s.failures} failures / ${s.events} events`),
            'Top users:',
            ...report.topUsers.map((s) => `  ${s.userId.padEnd(40)} ${s.failures} failures / ${s.events} events`),
            `Bans: ${report.bans.length}`,
            ...report.bans.map((b) => `  ${b.subjectType} ${b.subject} ${b.active ? 'until' : 'ended'} ${b.until} (${b.level}, offense ${b.offense})`),
            `Key rotations: ${report.rotations.length}`,
            ...report.rotations.map((r) => `  ${r.at} ${r.apiKeyId ?? ''}`),
          ].join('\n'),
        );
      });
    });
}
