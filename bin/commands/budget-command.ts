import type { Command } from 'commander';
import { parseBudgetKey, parseUsd, setBudget } from '../../functions/common/operator/operator-actions';
import { BUDGET_KEYS, budgetMicrosOf } from '../../shared/budget/budget-config';
import { budgetReport, budgetStatus, type BudgetStatus } from '../../shared/reports/budget-status';
import { formatPercent, formatUsd } from '../../shared/basics/money';
import { PRICE_TABLE } from '../../shared/pricing/price-data';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { withCliContext, operatorDeps } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';
import { registerBudgetModeCommands } from './budget-mode-command';
import { registerScopedBudgetCommands, renderScopedLines, statusFilterOf } from './budget-scope-command';
import { CliError } from './cli-context';
import { parseScopedBudgetRequest, setScopedBudget } from '../../functions/common/operator/scoped-budget-actions';
import { describeBudget } from '../../shared/budget/scoped-budget';
import { tableLines } from './text-table';
import { registerBudgetSimulateCommand } from './budget-simulate-command';

function renderStatus(status: BudgetStatus): string {
  const rows = [['budget', 'spent', 'of', '%', 'remaining', 'forecast', 'flag', 'alerts']];
  for (const b of status.budgets) {
    rows.push([
      b.budget,
      formatUsd(b.spentMicros),
      formatUsd(b.budgetMicros),
      formatPercent(b.percent / 100),
      formatUsd(b.remainingMicros),
      b.forecast.status === 'ok' ? formatUsd(b.forecast.forecastMicros) : 'not enough data',
      b.throttle,
      b.alerts.map((a) => `${a.kind === 'forecast' ? 'forecast' : a.severity}`).join(',') || '-',
    ]);
  }
  const forecastNote = status.budgets.find((b) => b.forecast.status === 'insufficient-data')?.forecast;
  return [
    ...(status.budgets.length > 0
      ? [
          `Budgets for ${status.period} (UTC month), ${status.events} event${status.events === 1 ? '' : 's'}, config: ${status.configOrigin}${status.configRejected ? ` (stored config rejected: ${status.configRejected})` : ''}`,
          ...tableLines(rows),
          ...(forecastNote && forecastNote.status === 'insufficient-data' ? [`forecast: ${forecastNote.reason}; available from ${forecastNote.availableAt.toISOString()}`] : []),
        ]
      : []),
    ...(status.scoped.length > 0 ? [...(status.budgets.length > 0 ? [''] : []), renderScopedLines(status.scoped)] : status.budgets.length > 0 ? [] : ['no budget matches']),
  ].join('\n');
}

export function registerBudgetCommand(program: Command): void {
  const budget = program.command('budget').description('monthly budgets: show, set, status, report');

  budget
    .command('show')
    .description('the budget config in force')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const loaded = await loadBudgetConfig(ctx.firestore());
        printResult(loaded, opts, () =>
          [
            `config: ${loaded.origin}${loaded.rejected ? ` (stored config rejected: ${loaded.rejected})` : ''}`,
            ...BUDGET_KEYS.map((k) => `  ${k.padEnd(13)} ${formatUsd(budgetMicrosOf(loaded.config, k))}`),
            `  forecast needs ${loaded.config.forecast.minHistoryHours} h of history; Cloud Billing spend counts as ${loaded.config.billingCategory}`,
          ].join('\n'),
        );
      });
    });

  budget
    .command('set <budget-or-usd> [usd]')
    .description('set a fleet budget per month (`set AI_API_CALLS 150`, `set total 400`), or a scoped one (`set 5 --scope agent:* --window day`); invalid values change nothing')
    .option('--scope <scope>', 'fleet, agent:<name>, agent:*, team:<name>, team:*, tenant:<name>, tenant:*, tag:<name>, model:<name>')
    .option('--window <window>', 'hour, day, week (ISO, from Monday) or month')
    .option('--category <category>', 'only this cost category (default: all)')
    .option('--timezone <zone>', 'IANA time zone the windows follow (default UTC)')
    .option('--mode <mode>', 'soft (default) or hard')
    .option('--id <id>', 'the budget id (default from scope, window and category); an existing id is replaced')
    .option('--ladder <steps>', 'degrade ladder: 0.5:prefer-cache,0.8:downgrade,0.95:cache-only,1:block (a downgrade may map: 0.8:downgrade=gemini-2.5-pro>gemini-2.5-flash)')
    .option('--shadow', 'shadow mode: evaluate and record (alerts marked shadow), never enforce')
    .action(async (first: string, second: string | undefined, opts: { scope?: string; window?: string; category?: string; timezone?: string; mode?: string; id?: string; ladder?: string; shadow?: boolean }) => {
      if (opts.scope !== undefined) {
        if (second !== undefined) throw new CliError(`with --scope give only the amount: governor budget set <usd> --scope ${opts.scope} --window …`);
        // Validated before any connection is made: a bad value changes nothing.
        const request = { usd: first, scope: opts.scope, window: opts.window, category: opts.category, timezone: opts.timezone, mode: opts.mode, id: opts.id, ladder: opts.ladder, shadow: opts.shadow };
        parseScopedBudgetRequest(request);
        await withCliContext(async (ctx) => {
          const { budget: b, replaced } = await setScopedBudget(operatorDeps(ctx), request);
          process.stdout.write(`${replaced ? 'replaced' : 'added'} budget ${b.id}: ${describeBudget(b)} (counts spend recorded from now on, per ${b.window} from the start of each window)\n`);
        });
        return;
      }
      const scopedOnly = (['window', 'category', 'timezone', 'mode', 'id', 'ladder', 'shadow'] as const).find((k) => opts[k] !== undefined);
      if (scopedOnly) throw new CliError(`--${scopedOnly} applies to scoped budgets: add --scope (e.g. --scope fleet)`);
      if (second === undefined) throw new CliError('usage: governor budget set <category|total> <usd>, or governor budget set <usd> --scope <scope> --window <window>');
      parseBudgetKey(first);
      parseUsd(second);
      await withCliContext(async (ctx) => {
        const { budget: name, budgetMicros } = await setBudget(operatorDeps(ctx), first, second);
        process.stdout.write(`${name} budget is now ${formatUsd(budgetMicros)} per month\n`);
      });
    });

  budget
    .command('status')
    .description('per budget: spent, %, remaining, forecast, flag, alerts (this month; scoped budgets in their current window)')
    .option('--scope <scope>', 'only the budgets of this scope (agent:writer-1, team:*, fleet, …)')
    .option('--window <window>', 'only budgets with this window (hour, day, week, month)')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag & { scope?: string; window?: string }) => {
      const filter = statusFilterOf(opts);
      await withCliContext(async (ctx) => {
        const status = await budgetStatus(ctx.firestore(), new Date(), filter);
        // One list in JSON: the fleet's monthly budgets and the scoped ones, each with scope and window.
        const { scoped, ...rest } = status;
        printResult({ ...rest, budgets: [...status.budgets, ...scoped] }, opts, () => renderStatus(status));
      });
    });

  budget
    .command('report')
    .description('the status plus spend by model and recommendations')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const report = await budgetReport(ctx.firestore(), PRICE_TABLE);
        printResult(report, opts, () =>
          [
            renderStatus(report),
            '',
            'AI spend by model:',
            ...(Object.keys(report.models).length === 0
              ? ['  (none priced from usage yet)']
              : Object.entries(report.models).map(([m, u]) => `  ${m.padEnd(24)} ${formatUsd(u.micros).padStart(10)}  ${formatPercent(u.shareOfAiSpend).padStart(6)}  ${u.events} calls`)),
            '',
            `Response cache saved ${formatUsd(report.cacheSavings.savedMicros)} this month (${report.cacheSavings.hits} hits)${Object.keys(report.cacheSavings.byModel).length ? `: ${Object.entries(report.cacheSavings.byModel).map(([m, v]) => `${m} ${formatUsd(v.savedMicros)}`).join(', ')}` : ''}`,
            '',
            'Recommendations:',
            ...report.recommendations.map((r) => `  - ${r.message}`),
          ].join('\n'),
        );
      });
    });

  registerBudgetModeCommands(budget);
  registerScopedBudgetCommands(budget);
  registerBudgetSimulateCommand(budget);
}
