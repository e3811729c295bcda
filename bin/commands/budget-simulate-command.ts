import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseBudgetConfig, type BudgetConfig } from '../../shared/budget/budget-config';
import { replaySpend, type ReplayResult } from '../../shared/budget/spend-replay';
import { OptionsError } from '../../shared/contracts/validation-error';
import { formatUsd } from '../../shared/basics/money';
import { readLedgerCosts } from '../../shared/store/ledger-costs';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { parseBreakerConfig, type BreakerConfig } from '../../shared/runaway/breaker-rule';
import { replayBreakers, type BreakerReplayResult } from '../../shared/runaway/breaker-replay';
import { loadBreakerConfig } from '../../shared/store/breaker-config-store';
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
 * CliError naming it. A `breakers` field (`{ "rules": [ … ] }`) proposes breaker rules in place of
 * the stored ones.
 */
export function proposedConfig(file: string, stored: BudgetConfig, storedBreakers: BreakerConfig = { rules: [] }): { budgets: BudgetConfig; breakers: BreakerConfig } {
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
  const { breakers, ...budgetFields } = value as Record<string, unknown>;
  const parse = <T>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof OptionsError) throw new CliError(`--config ${file}: ${what}${error.message}`);
      throw error;
    }
  };
  return {
    budgets: parse('', () => parseBudgetConfig({ ...stored, ...budgetFields })),
    breakers: breakers === undefined ? storedBreakers : parse('breakers: ', () => parseBreakerConfig(breakers)),
  };
}

const usdPerMinute = (micros: number) => `${formatUsd(micros)}/min`;

/** The replay in words: one line per moment, then what the steps and blocks would have met. */
export function renderReplay(result: ReplayResult, from: Date, to: Date, breakers: BreakerReplayResult = { trips: [], paused: { calls: 0, micros: 0 } }): string {
  const lines = [`Replayed ${result.events} recorded cost${result.events === 1 ? '' : 's'} (${formatUsd(result.spentMicros)}) from ${from.toISOString()} to ${to.toISOString()}:`];
  if (result.moments.length === 0 && breakers.trips.length === 0) lines.push('  nothing would have happened: no threshold, flag, ladder step or breaker trip reached');
  const rows: [string, string][] = result.moments.map((m) => {
    const where = `${m.budget} ${m.scope} ${m.windowId}${m.shadow ? ' [shadow]' : ''}`;
    const what = m.kind === 'alert' ? `alert ${m.severity} at ${Math.round(m.threshold * 100)} % (${formatUsd(m.costMicros)})` : m.kind === 'flag' ? `flag ${m.level}` : `ladder step ${m.action} (from ${Math.round(m.stepAt * 100)} %)`;
    return [m.at, `  ${m.at}  ${what.padEnd(36)} ${where}`];
  });
  for (const t of breakers.trips) {
    const what = `breaker trip (${t.reason}) ${usdPerMinute(t.rateMicrosPerMinute)}`;
    rows.push([t.at, `  ${t.at}  ${what.padEnd(36)} breaker ${t.rule} ${t.scope}, baseline ${usdPerMinute(t.baselineMicrosPerMinute)} (${t.baselineFrom}), paused until ${t.until}${t.shadow ? ' [shadow]' : ''}`]);
  }
  // In time order; at one instant, the budget moments first (a stable sort keeps them as replayed).
  lines.push(...rows.sort((a, b) => a[0].localeCompare(b[0])).map(([, line]) => line));
  const e = result.effects;
  lines.push(
    '',
    `Would have blocked ${e.blocked.calls} call${e.blocked.calls === 1 ? '' : 's'} (${formatUsd(e.blocked.micros)}); answered ${e.cacheOnly.calls} from the cache only or refused them (${formatUsd(e.cacheOnly.micros)});`,
    `downgraded ${e.downgraded.calls} (${formatUsd(e.downgraded.micros)}, ${formatUsd(e.downgraded.savedMicros)} less at the downgraded models' prices).`,
    ...(breakers.paused.calls > 0 ? [`Breakers would have paused their agents for ${breakers.paused.calls} call${breakers.paused.calls === 1 ? '' : 's'} (${formatUsd(breakers.paused.micros)}).`] : []),
  );
  return lines.join('\n');
}

/** `budget simulate`: replays the recorded ledger through a proposed config. */
export function registerBudgetSimulateCommand(budget: Command): void {
  budget
    .command('simulate')
    .description('replay the recorded spend of a time range through a proposed config: when each alert, flag, ladder step and breaker trip would have happened, and what it would have blocked, downgraded or paused')
    .requiredOption('--config <file>', 'proposed budget config (JSON; its fields replace the stored config\'s, e.g. { "scoped": [ … ], "breakers": { "rules": [ … ] } })')
    .requiredOption('--from <date>', 'start: a date (midnight UTC), an RFC 3339 instant, or a time ago (30d, 12h)')
    .requiredOption('--to <date>', 'end, exclusive: the same forms, or now')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag & { config: string; from: string; to: string }) => {
      const now = new Date();
      const from = instantOption('--from', opts.from, now);
      const to = instantOption('--to', opts.to, now);
      if (!(to > from)) throw new CliError(`--to ${opts.to} must be after --from ${opts.from}`);
      await withCliContext(async (ctx) => {
        const db = ctx.firestore();
        const config = proposedConfig(opts.config, (await loadBudgetConfig(db)).config, (await loadBreakerConfig(db)).config);
        const costs = await readLedgerCosts(db, from, to);
        const result = replaySpend(config.budgets, costs);
        const breakers = replayBreakers(config.breakers, costs);
        printResult({ from: from.toISOString(), to: to.toISOString(), ...result, trips: breakers.trips, effects: { ...result.effects, paused: breakers.paused } }, opts, () => renderReplay(result, from, to, breakers));
      });
    });
}
