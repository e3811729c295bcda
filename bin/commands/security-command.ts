import { isIP } from 'node:net';
import type { Command } from 'commander';
import type { Subject } from '../../shared/security/ban-policy';
import { securityReport } from '../../shared/security/security-report';
import { banView, liftBan, listBans } from '../../shared/store/bans-store';
import { withCliContext, CliError, output } from './cli-context';

/** `1.2.3.4` or `ip:1.2.3.4` is an IP; `user:alice` or anything else a user id. */
function subjectOf(text: string): Subject {
  if (text.startsWith('ip:')) {
    if (isIP(text.slice(3)) === 0) throw new CliError(`"${text.slice(3)}" is not an IP address`);
    return { type: 'ip', value: text.slice(3) };
  }
  if (text.startsWith('user:')) return { type: 'user', value: text.slice(5) };
  return isIP(text) !== 0 ? { type: 'ip', value: text } : { type: 'user', value: text };
}

export function registerSecurityCommands(program: Command): void {
  const bans = program.command('bans').description('fail2ban-style bans of IPs and users');
  bans
    .command('list')
    .description('bans (active by default)')
    .option('--all', 'include expired and lifted bans (their history drives escalation)')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      await withCliContext(async (ctx) => {
        const now = new Date();
        const list = (await listBans(ctx.firestore(), { activeOnly: !opts.all, now })).map((b) => banView(b, now));
        output(list, Boolean(opts.json), () =>
          list.length === 0 ? 'no bans' : list.map((b) => `${b.subjectType} ${b.subject}  ${b.active ? `banned until ${b.until}` : `expired ${b.until}`}  (${b.level}, offense ${b.offense}) — ${b.reason}; ${b.suppressedEvents} events dropped`).join('\n'),
        );
      });
    });
  bans
    .command('lift <subject>')
    .description('end an active ban now: an IP, or a user id (prefix ip: or user: to be explicit)')
    .action(async (text: string) => {
      const subject = subjectOf(text);
      await withCliContext(async (ctx) => {
        const lifted = await liftBan(ctx.firestore(), subject, `cli:${process.env.USER ?? 'operator'}`);
        if (!lifted) throw new CliError(`${subject.type} ${subject.value} is not banned`);
        process.stdout.write(`lifted the ban on ${subject.type} ${subject.value}\n`);
      });
    });

  const security = program.command('security').description('security events and bans');
  security
    .command('report')
    .description('counts by type, top IPs and users, bans and key rotations')
    .option('--hours <n>', 'how far back', '24')
    .option('--json', 'print JSON')
    .action(async (opts: { hours: string; json?: boolean }) => {
      const hours = Number(opts.hours);
      if (!(hours > 0 && hours <= 24 * 90)) throw new CliError(`--hours must be between 0 and 2160, got "${opts.hours}"`);
      await withCliContext(async (ctx) => {
        const report = await securityReport(ctx.firestore(), hours);
        output(report, Boolean(opts.json), () =>
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
