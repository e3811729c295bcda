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
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const forecastNote = status.budgets.find((b) => b.forecast.status === 'insufficient-data')?.forecast;
  return [
    `Budgets for ${status.period} (UTC month), ${status.events} events, config: ${status.configOrigin}${status.configRejected ? ` (stored config rejected: ${status.configRejected})` : ''}`,
    ...rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')),
    ...(forecastNote && forecastNote.status === 'insufficient-data' ? [`forecast: ${forecastNote.reason}; available from ${forecastNote.availableAt.toISOString()}`] : []),
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
    .command('set <budget> <usd>')
    .description('set a category budget (or "total") in USD per month; invalid values change nothing')
    .action(async (key: string, usd: string) => {
      // Validated before any connection is made: a bad value changes nothing.
      parseBudgetKey(key);
      parseUsd(usd);
      await withCliContext(async (ctx) => {
        const { budget: name, budgetMicros } = await setBudget(operatorDeps(ctx), key, usd);
        process.stdout.write(`${name} budget is now ${formatUsd(budgetMicros)} per month\n`);
      });
    });

  budget
    .command('status')
    .description('per budget: spent, %, remaining, forecast, flag, alerts (this month)')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const status = await budgetStatus(ctx.firestore());
        printResult(status, opts, () => renderStatus(status));
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
}
