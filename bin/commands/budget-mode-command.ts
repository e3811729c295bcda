import type { Command } from 'commander';
import { budgetMicrosOf, scopedBudgetsOf, type BudgetConfig, type BudgetKey } from '../../shared/budget/budget-config';
import { windowOf } from '../../shared/budget/budget-window';
import { formatScope, isTemplate, parseScope, type Scope } from '../../shared/budget/scope';
import { scopeOf } from '../../shared/budget/scoped-budget';
import { COST_CATEGORIES } from '../../shared/contracts/vocabulary';
import { BUDGET_MODES, budgetModeOf, type BudgetMode } from '../../shared/budget/budget-mode';
import { LEASE_POLICY_DEFAULTS } from '../../shared/budget/lease-policy';
import { formatUsd } from '../../shared/basics/money';
import { periodOf } from '../../shared/basics/period';
import { surveyAllowanceOf } from '../../shared/store/allowance-store';
import { fleetAllowance, scopedAllowance, type AllowanceTarget } from '../../shared/store/allowance-target';
import { loadBudgetConfig, updateBudgetConfig } from '../../shared/store/budget-config-store';
import { parseBudgetKey } from '../../functions/common/operator/operator-actions';
import { CliError, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

/** `budget mode` and `budget allowance`: hard budgets (leased allowance, shared/leasing). */
export function registerBudgetModeCommands(budget: Command): void {
  budget
    .command('mode <budget> <mode>')
    .description('make a budget hard (agents spend only leased allowance) or soft (flags and alerts after the fact)')
    .action(async (text: string, mode: string) => {
      const key = parseBudgetKey(text);
      if (!BUDGET_MODES.includes(mode as BudgetMode)) throw new CliError(`"${mode}" is not a budget mode (${BUDGET_MODES.join(', ')})`);
      await withCliContext(async (ctx) => {
        const next = await updateBudgetConfig(ctx.firestore(), (current) => {
          const modes = { ...current.budgetMode };
          if (mode === 'soft') delete modes[key];
          else modes[key] = 'hard';
          return { ...current, budgetMode: modes };
        });
        process.stdout.write(`${key} budget is now ${budgetModeOf(next, key)} (agents' spend guards see it within their config refresh, 30 s by default)\n`);
      });
    });

  budget
    .command('allowance <budget>')
    .description("a hard budget's allowance in its current window, per shard: charged spend, leased, free")
    .option('--scope <instance>', 'the scope instance of a template budget (agent:blog-writer-1 for an agent:* budget)')
    .addOption(jsonOption())
    .action(async (text: string, opts: JsonFlag & { scope?: string }) => {
      await withCliContext(async (ctx) => {
        const { config } = await loadBudgetConfig(ctx.firestore());
        const { target, budgetMicros, mode } = allowanceOf(config, text, opts.scope, new Date());
        const shards = await surveyAllowanceOf(ctx.firestore(), target, budgetMicros, Date.now(), LEASE_POLICY_DEFAULTS.reapGraceMilliseconds);
        const total = (pick: (s: (typeof shards)[number]) => number) => shards.reduce((n, s) => n + pick(s), 0);
        const value = {
          budget: target.budget,
          scope: target.scope,
          window: target.window,
          windowId: target.windowId,
          // `period` is what this command printed before scoped budgets (the fleet's month).
          ...(target.scope === 'fleet' ? { period: target.windowId } : {}),
          mode,
          budgetMicros,
          spentMicros: total((s) => s.spentMicros),
          leasedMicros: total((s) => s.outstandingMicros),
          freeMicros: total((s) => Math.max(0, s.availableMicros)),
          shards,
        };
        const heading = target.scope === 'fleet' ? `${target.budget} (${mode}) ${target.windowId}` : `${target.budget} ${target.scope} (${mode}) ${target.window} ${target.windowId}`;
        printResult(value, opts, () =>
          [
            `${heading}: ${formatUsd(value.spentMicros)} charged, ${formatUsd(value.leasedMicros)} leased, ${formatUsd(value.freeMicros)} free of ${formatUsd(budgetMicros)}`,
            ...shards.map((s) => `  shard ${s.shard}: ${formatUsd(s.spentMicros)} charged, ${formatUsd(s.outstandingMicros)} in ${s.leases} lease(s), ${formatUsd(s.availableMicros)} free${s.reapableMicros > 0 ? `, ${formatUsd(s.reapableMicros)} in expired leases (reaped by the next grant)` : ''}`),
          ].join('\n'),
        );
      });
    });
}

/**
 * Which allowance `budget allowance` shows: a fleet budget's month (a category or total), or a
 * scoped budget's instance in the window that holds `at` (a template needs `--scope`).
 */
function allowanceOf(config: BudgetConfig, text: string, scopeText: string | undefined, at: Date): { target: AllowanceTarget; budgetMicros: number; mode: BudgetMode } {
  const scoped = scopedBudgetsOf(config).find((b) => b.id === text.trim());
  if (!scoped) {
    let key: BudgetKey;
    try {
      key = parseBudgetKey(text);
    } catch {
      const ids = scopedBudgetsOf(config).map((b) => b.id);
      throw new CliError(`"${text}" is not a category (${COST_CATEGORIES.join(', ')}), total, or the id of a scoped budget${ids.length > 0 ? ` (${ids.join(', ')})` : ' (none is set)'}`);
    }
    if (scopeText !== undefined && scopeText.trim() !== 'fleet') throw new CliError(`--scope applies to a scoped budget; ${key} is the fleet's`);
    const period = periodOf(at);
    return { target: fleetAllowance(period.id, key, period.end.getTime()), budgetMicros: budgetMicrosOf(config, key), mode: budgetModeOf(config, key) };
  }
  const scope = scopeOf(scoped);
  let instance: string;
  if (isTemplate(scope)) {
    if (scopeText === undefined) throw new CliError(`budget ${scoped.id} is a template (${scoped.scope}): name one of its instances with --scope ${scope.kind}:<name>`);
    let given: Scope;
    try {
      given = parseScope(scopeText.trim());
    } catch (error) {
      throw new CliError(`--scope "${scopeText}": ${(error as Error).message}`);
    }
    if (given.kind !== scope.kind || isTemplate(given)) throw new CliError(`--scope "${scopeText}" is not an instance of ${scoped.scope} (e.g. ${scope.kind}:<name>)`);
    instance = formatScope(given);
  } else {
    instance = formatScope(scope);
    if (scopeText !== undefined && scopeText.trim() !== instance) throw new CliError(`--scope "${scopeText}" is not budget ${scoped.id}'s scope (${instance})`);
  }
  return { target: scopedAllowance(scoped, instance, windowOf(scoped.window, scoped.timezone, at)), budgetMicros: scoped.amountMicros, mode: scoped.mode };
}
