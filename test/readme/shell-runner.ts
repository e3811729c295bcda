import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { waitFor } from '../support/test-stack';
import { relocate, type ReadmeStack } from './readme-stack';
import type { Expectation, ShellCommand, ShellStep } from './shell-plan';
import type { CommandResult, ShellSession } from './shell-session';

/**
 * How long a command is repeated until it succeeds and prints what its `# →` lines say: the
 * pipeline is asynchronous (publish → push → function → Firestore), and a reader typing the next
 * command gives it that time.
 */
export const SETTLE_MILLISECONDS = 30_000;

/** State a block may assume (`<!-- readme-test: given … -->`), brought about the way an agent would. */
const FIXTURES: { pattern: RegExp; commands: (match: RegExpExecArray) => { setup: string; check: string; shows: RegExp } }[] = [
  {
    // security-monitor bans after `maxretry` (5) failures: an agent's five failed logins from that IP.
    pattern: /^(\S+) is banned$/,
    commands: ([, ip]) => ({
      setup: `node -e ${JSON.stringify(
        `const { createPublisher } = require(${JSON.stringify(join(repoRoot(), 'dist/shared/index.js'))});` +
          `const p = createPublisher({ source: 'readme-test' });` +
          `for (let i = 0; i < 5; i++) p.recordSecurityEvent({ kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: ${JSON.stringify(ip)} });` +
          `p.close();`,
      )}`,
      check: 'npx governor bans list',
      shows: new RegExp((ip as string).replace(/\./g, '\\.')),
    }),
  },
];

export interface StepContext {
  session: ShellSession;
  /** Where the addresses the README assumes are on this stack. */
  stack: Pick<ReadmeStack, 'addresses'> & Partial<Pick<ReadmeStack, 'output'>>;
  /** Words captured by `<name>` in a `# →` line, used where a later command says `<name>`. */
  captured: Map<string, string>;
  /** How long a command may take to do what the README says; default SETTLE_MILLISECONDS. */
  settleMilliseconds?: number;
}

/** Lines of the stack's log a failed step should show: what it logged at WARNING or above (or of its breakers) while the step ran. */
const STACK_LOG_LINES = 40;

function stackLogSince(context: StepContext, from: number): string {
  const lines = (context.stack.output?.().slice(from) ?? '').split('\n').filter((l) => /"severity":"(WARNING|ERROR|CRITICAL|ALERT|EMERGENCY)"|breaker/.test(l));
  return lines.length === 0 ? '' : `\nnpm start logged meanwhile (WARNING and above or breakers, last ${STACK_LOG_LINES}):\n${lines.slice(-STACK_LOG_LINES).join('\n')}`;
}

const describeResult = (command: string, result: CommandResult): string => `$ ${command}\n[exit ${result.status}]\n${result.output}`;

/** Emails at the mail catcher whose subject matches. */
async function emailsMatching(mailUrl: string, pattern: RegExp): Promise<string[]> {
  const response = await fetch(`${mailUrl}/api/email`);
  const emails = (await response.json()) as { subject: string }[];
  return emails.map((e) => e.subject).filter((s) => pattern.test(s));
}

function holds(expectation: Expectation, result: CommandResult): boolean {
  if (expectation.kind === 'refused') return result.status !== 0 && expectation.pattern.test(result.output);
  if (expectation.kind === 'output') return result.status === 0 && expectation.pattern.test(result.output);
  return true;
}

/** The command as it runs here: `<name>` filled in from earlier output, addresses moved to this stack's. */
function resolved(command: ShellCommand, context: StepContext): string {
  const filled = command.run.replace(/<([A-Za-z][\w-]*)>/g, (placeholder, name: string) => {
    const value = context.captured.get(name.replace(/-/g, '_'));
    if (value === undefined) throw new Error(`README line ${command.line}: ${placeholder} is not printed by any "# →" line above it`);
    return value;
  });
  return relocate(filled, context.stack.addresses);
}

/** Runs one command until it succeeds and its expectations hold (or SETTLE_MILLISECONDS pass). */
export async function runCommand(command: ShellCommand, context: StepContext): Promise<CommandResult> {
  const text = resolved(command, context);
  const checks = command.expectations.filter((e): e is Exclude<Expectation, { kind: 'email' }> => e.kind !== 'email');
  const wantsSuccess = !checks.some((e) => e.kind === 'refused');
  const settle = context.settleMilliseconds ?? SETTLE_MILLISECONDS;
  const logFrom = context.stack.output?.().length ?? 0;
  let last: CommandResult = { status: -1, output: '' };
  const succeeded = (r: CommandResult): boolean => (checks.length === 0 ? r.status === 0 : checks.every((e) => holds(e, r)));
  const settled = await waitFor(
    async () => (last = await context.session.run(text)),
    succeeded,
    settle,
    `README line ${command.line}`,
  ).then(
    () => true,
    () => false,
  );
  if (!settled) {
    const failed = checks.filter((e) => !holds(e, last));
    const why = failed.length > 0 ? failed.map((e) => `line ${e.line}: expected ${e.kind === 'refused' ? 'a refusal saying' : 'output with'} "${e.text}"`).join('; ') : wantsSuccess ? 'expected exit 0' : 'expected a refusal';
    throw new Error(`README line ${command.line} did not do what the README says within ${settle / 1000} s (${why}):\n${describeResult(text, last)}${stackLogSince(context, logFrom)}`);
  }
  for (const e of checks) {
    const groups = e.pattern.exec(last.output)?.groups ?? {};
    for (const [name, value] of Object.entries(groups)) context.captured.set(name, value);
  }
  for (const e of command.expectations) if (e.kind === 'email') await expectEmail(e, context);
  return last;
}

async function expectEmail(expectation: Extract<Expectation, { kind: 'email' }>, context: StepContext): Promise<void> {
  const mailUrl = relocate(expectation.mailUrl, context.stack.addresses);
  const found = await waitFor(() => emailsMatching(mailUrl, expectation.pattern), (m) => m.length > 0, SETTLE_MILLISECONDS, `the email of README line ${expectation.line}`).catch(async () => {
    const all = ((await (await fetch(`${mailUrl}/api/email`)).json()) as { subject: string }[]).map((e) => e.subject);
    throw new Error(`README line ${expectation.line}: no email "${expectation.subject}" reached ${mailUrl} within ${SETTLE_MILLISECONDS / 1000} s; it has: ${JSON.stringify(all)}`);
  });
  if (found.length !== 1) throw new Error(`README line ${expectation.line}: expected one email "${expectation.subject}", got ${found.length}: ${JSON.stringify(found)}`);
}

/** Brings about what a block's `given` lines say, then waits until the CLI shows it. */
export async function applyGiven(given: string, line: number, context: StepContext): Promise<void> {
  const fixture = FIXTURES.map((f) => ({ f, match: f.pattern.exec(given) })).find((x) => x.match);
  if (!fixture?.match) throw new Error(`README line ${line}: no fixture for "given ${given}" (known: ${FIXTURES.map((f) => f.pattern.source).join(', ')})`);
  const { setup, check, shows } = fixture.f.commands(fixture.match);
  const done = await context.session.run(setup);
  if (done.status !== 0) throw new Error(`README line ${line}: "given ${given}" failed:\n${describeResult(setup, done)}`);
  await waitFor(() => context.session.run(check), (r) => r.status === 0 && shows.test(r.output), SETTLE_MILLISECONDS, `given ${given}`);
}

/** Runs a step of the plan: its givens, then each command in order; returns the README lines it ran. */
export async function runStep(step: Extract<ShellStep, { kind: 'run' }>, context: StepContext): Promise<number[]> {
  for (const given of step.givens) await applyGiven(given, step.block.line - 2, context);
  const ran: number[] = [];
  for (const command of step.commands) {
    if (command.standIn) continue;
    await runCommand(command, context);
    ran.push(command.line);
  }
  return ran;
}
