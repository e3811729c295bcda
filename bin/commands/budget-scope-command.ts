import type { Command } from 'commander';
import { removeScopedBudget } from '../../functions/common/operator/scoped-budget-actions';
import { budgetMicrosOf, BUDGET_KEYS, scopedBudgetsOf } from '../../shared/budget/budget-config';
import { BUDGET_WINDOWS, type BudgetWindow } from '../../shared/budget/budget-window';
import { budgetModeOf } from '../../shared/budget/budget-mode';
import { parseScope } from '../../shared/budget/scope';
import { describeBudget } from '../../shared/budget/scoped-budget';
import { formatPercent, formatUsd } from '../../shared/basics/money';
import { ReportError, topSpenders, TOP_DIMENSIONS, type ScopedBudgetLine, type ScopedStatusFilter, type TopDimension } from '../../shared/reports/scope-report';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { CliError, operatorDeps, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';
import { tableLines } from './text-table';

/** `--scope` and `--window` of `budget status`, validated before any connection. */
export function statusFilterOf(opts: { scope?: string; window?: string }): ScopedStatusFilter {
  if (opts.scope !== undefined) {
    try {
      parseScope(opts.scope);
    } catch (error) {
      throw new CliError(`--scope ${(error as Error).message}`);
    }
  }
  return { ...(opts.scope !== undefined ? { scope: opts.scope } : {}), ...(opts.window !== undefined ? { window: windowOption(opts.window) } : {}) };
}

function windowOption(text: string): BudgetWindow {
  if (!BUDGET_WINDOWS.includes(text as BudgetWindow)) throw new CliError(`--window "${text}" is not one of ${BUDGET_WINDOWS.join(', ')}`);
  return text as BudgetWindow;
}


/** The scoped lines of `budget status` as a table. */
export function renderScopedLines(lines: readonly ScopedBudgetLine[]): string {
  const rows = [['budget', 'scope', 'window', 'spent', 'of', '%', 'flag', 'alerts', 'ladder step']];
  for (const l of lines) {
    const step = l.step ? `${l.step.action}${l.step.shadow ? ' (shadow)' : ''}` : '-';
    rows.push([`${l.budget}${l.shadow ? ' (shadow)' : ''}`, l.scope, `${l.window} ${l.windowId}`, formatUsd(l.spentMicros), formatUsd(l.budgetMicros), formatPercent(l.percent / 100), l.throttle, l.alerts.map((a) => a.severity).join(',') || '-', step]);
  }
  return ['Scoped budgets (current windows):', ...tableLines(rows)].join('\n');
}

/** `budget list`, `budget remove`, `budget top`: the scoped budgets beside the fleet's monthly ones. */
export function registerScopedBudgetCommands(budget: Command): void {
  budget
    .command('list')
    .description("every budget: the fleet's monthly ones and the scoped ones (scope, window, category, amount, mode)")
    .addOption(jsonOption())
    .action(async (opts: JsonFlag) => {
      await withCliContext(async (ctx) => {
        const { config } = await loadBudgetConfig(ctx.firestore());
        const fleet = BUDGET_KEYS.map((key) => ({ id: key, scope: 'fleet', window: 'month', timezone: 'UTC', ...(key === 'TOTAL' ? {} : { category: key }), amountMicros: budgetMicrosOf(config, key), mode: budgetModeOf(config, key) }));
        const scoped = scopedBudgetsOf(config);
        printResult({ budgets: [...fleet, ...scoped] }, opts, () =>
          [
            "fleet, monthly (UTC): set with `budget set <category|total> <usd>`",
            ...fleet.map((b) => `  ${b.id.padEnd(13)} ${formatUsd(b.amountMicros)}${b.mode === 'hard' ? ' (hard)' : ''}`),
            scoped.length > 0 ? 'scoped:' : 'scoped: none (governor budget set <usd> --scope agent:* --window day)',
            ...scoped.map((b) => `  ${b.id.padEnd(24)} ${describeBudget(b)}`),
          ].join('\n'),
        );
      });
    });

  budget
    .command('remove <id>')
    .description('remove a scoped budget (its flags clear at once)')
    .action(async (id: string) => {
      await withCliContext(async (ctx) => {
        await removeScopedBudget(operatorDeps(ctx), id);
        process.stdout.write(`removed budget ${id}\n`);
      });
    });

  budget
    .command('top')
    .description('top spenders in the current window, with their budget and flag, highest first')
    .requiredOption('--by <dimension>', TOP_DIMENSIONS.join(', '))
    .option('--window <window>', 'the window of the budgets to rank by (default: the first of that kind)')
    .option('--limit <n>', 'how many (default 10)', '10')
    .addOption(jsonOption())
    .action(async (opts: JsonFlag & { by: string; window?: string; limit: string }) => {
      if (!TOP_DIMENSIONS.includes(opts.by as TopDimension)) throw new CliError(`--by "${opts.by}" is not one of ${TOP_DIMENSIONS.join(', ')}`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit "${opts.limit}" must be a whole number from 1 to 1000`);
      const window = opts.window !== undefined ? windowOption(opts.window) : undefined;
      await withCliContext(async (ctx) => {
        const { config } = await loadBudgetConfig(ctx.firestore());
        const top = await topSpenders(ctx.firestore(), config, new Date(), { by: opts.by as TopDimension, ...(window ? { window } : {}), limit }).catch((error: unknown) => {
          throw error instanceof ReportError ? new CliError(error.message) : error;
        });
        printResult(top, opts, () =>
          [
            `Top ${top.by}s by spend, ${top.window} window (budgets: ${top.budgets.join(', ')}):`,
            ...(top.entries.length === 0
              ? ['  no spend yet in this window']
              : tableLines([['scope', 'spent', 'budget', '%', 'flag'], ...top.entries.map((e) => [e.scope, formatUsd(e.spentMicros), `${formatUsd(e.budgetMicros)} (${e.budget}${e.shadow ? ', shadow' : ''})`, formatPercent(e.percent / 100), e.throttle])])),
          ].join('\n'),
        );
      });
    });
}
