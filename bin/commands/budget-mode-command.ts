import type { Command } from 'commander';
import { budgetMicrosOf } from '../../shared/budget/budget-config';
import { BUDGET_MODES, budgetModeOf, type BudgetMode } from '../../shared/budget/budget-mode';
import { LEASE_POLICY_DEFAULTS } from '../../shared/budget/lease-policy';
import { formatUsd } from '../../shared/basics/money';
import { periodOf } from '../../shared/basics/period';
import { surveyAllowance } from '../../shared/store/allowance-store';
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
    .description("a hard budget's allowance this month, per shard: charged spend, leased, free")
    .addOption(jsonOption())
    .action(async (text: string, opts: JsonFlag) => {
      const key = parseBudgetKey(text);
      await withCliContext(async (ctx) => {
        const { config } = await loadBudgetConfig(ctx.firestore());
        const periodId = periodOf(new Date()).id;
        const budgetMicros = budgetMicrosOf(config, key);
        const shards = await surveyAllowance(ctx.firestore(), periodId, key, budgetMicros, Date.now(), LEASE_POLICY_DEFAULTS.reapGraceMilliseconds);
        const total = (pick: (s: (typeof shards)[number]) => number) => shards.reduce((n, s) => n + pick(s), 0);
        const value = { budget: key, mode: budgetModeOf(config, key), period: periodId, budgetMicros, spentMicros: total((s) => s.spentMicros), leasedMicros: total((s) => s.outstandingMicros), freeMicros: total((s) => Math.max(0, s.availableMicros)), shards };
        printResult(value, opts, () =>
          [
            `${key} (${value.mode}) ${periodId}: ${formatUsd(value.spentMicros)} charged, ${formatUsd(value.leasedMicros)} leased, ${formatUsd(value.freeMicros)} free of ${formatUsd(budgetMicros)}`,
            ...shards.map((s) => `  shard ${s.shard}: ${formatUsd(s.spentMicros)} charged, ${formatUsd(s.outstandingMicros)} in ${s.leases} lease(s), ${formatUsd(s.availableMicros)} free${s.reapableMicros > 0 ? `, ${formatUsd(s.reapableMicros)} in expired leases (reaped by the next grant)` : ''}`),
          ].join('\n'),
        );
      });
    });
}
