import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseBudgetConfig, type BudgetConfig } from '../../shared/budget/budget-config';
import { replaySpend, type ReplayResult } from '../../shared/budget/spend-replay';
import { OptionsError } from '../../shared/contracts/validation-error';
import { formatUsd } from '../../shared/basics/money';
import { readLedgerCosts } from '../../shared/store/ledger-costs';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { CliError, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

/** `--from`/`--to`: a date (`2026-11-01`, midnight UTC), an RFC 3339 instant, `now`, or a time ago (`30d`, `12h`). */
export function instantOption(flag: string, text: string, now: Date = new Date()): Date {
  if (text === 'now') return now;
  const ago = /^(\d{1,4})([dh])$/.exec(text);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * (ago[2] === 'd' ? 86_400_000 : 3_600_000));
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const at = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) throw new CliError(`${flag} "${text}" is not a date (2026-11-01), an instant (2026-11-01T08:00:00Z), now, or a time ago (30d, 12h)`);
  return at;
}

/**
 * The proposed config: the stored one with the file's fields over it (a file holding only
 * `scoped` proposes scoped budgets beside the fleet's monthly ones), validated; a bad field is a
 * CliError naming it.
 */
export function proposedConfig(file: string, stored: BudgetConfig): BudgetConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--config ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--config ${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`--config ${file}: a JSON object of budget config fields (e.g. { "scoped": [ … ] })`);
  try {
    return parseBudgetConfig({ ...stored, ...value });
  } catch (error) {
    if (error instanceof OptionsError) throw new CliError(`--config ${file}: ${error.message}`);
    throw error;
  }
}

/** The replay in words: one line per moment, then what the steps and blocks would have met. */
export function renderReplay(result: ReplayResult, from: Date, to: Date): string {
  const lines = [`Replayed ${result.events} recorded cost${result.events === 1 ? '' : 's'} (${formatUsd(result.spentMicros)}) from ${from.toISOString()} to ${to.toISOString()}:`];
  if (result.moments.length === 0) lines.push('  nothing would have happened: no threshold, flag or ladder step reached');
  for (const m of result.moments) {
    const where = `${m.budget} ${m.scope} ${m.windowId}${m.shadow ? ' [shadow]' : ''}`;
    const what = m.kind === 'alert' ? `alert ${m.severity} at ${Math.round(m.threshold * 100)} % (${formatUsd(m.costMicros)})` : m.kind === 'flag' ? `flag ${m.level}` : `ladder step ${m.action} (from ${Math.round(m.stepAt * 100)} %)`;
    lines.push(`  ${m.at}  ${what.padEnd(36)} ${where}`);
  }
  const e = result.effects;
  lines.push(
    '',
    `Would have blocked ${e.blocked.calls} call${e.blocked.calls === 1 ? '' : 's'} (${formatUsd(e.blocked.micros)}); answered ${e.cacheOnly.calls} from the cache only or refused them (${formatUsd(e.cacheOnly.micros)});`,
    `downgraded ${e.downgraded.calls} (${formatUsd(e.downgraded.micros)}, ${formatUsd(e.downgraded.savedMicros)} less at the downgraded models' prices).`,
  );
  return lines.join('\n');
}

/** `budget simulate`: replays the recorded ledger through a proposed config. */
export function registerBudgetSimulateCommand(budget: Command): void {
  budget
    .command('simulate')
    .description('replay the recorded spend of a time range through a proposed config: when each alert, flag and ladder step would have happened, and what it would have blocked or downgraded')
    .requiredOption('--config <file>', 'proposed budget config (JSON; its fields replace the stored config\'s, e.g. { "scoped": [ … ] })')
    .requiredOption('--from <date>', 'start: a date (midnight UTC), an RFC 3339 instant, or a time ago (30d, 12h)')
    .requiredOption('--to <date>', 'end, exclusive: the same forms, or now')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag & { config: string; from: string; to: string }) => {
      const now = new Date();
      const from = instantOption('--from', opts.from, now);
      const to = instantOption('--to', opts.to, now);
      if (!(to > from)) throw new CliError(`--to ${opts.to} must be after --from ${opts.from}`);
      await withCliContext(async (ctx) => {
        const config = proposedConfig(opts.config, (await loadBudgetConfig(ctx.firestore())).config);
        const result = replaySpend(config, await readLedgerCosts(ctx.firestore(), from, to));
        printResult({ from: from.toISOString(), to: to.toISOString(), ...result }, opts, () => renderReplay(result, from, to));
      });
    });
}
