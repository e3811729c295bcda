import { budgetMicrosOf, scopedBudgetsOf, type BudgetConfig, type BudgetKey } from '../budget/budget-config';
import { hardBudgetsFor } from '../budget/budget-mode';
import { windowOf } from '../budget/budget-window';
import type { SpendSubject } from '../budget/scope';
import { scopeInstancesFor, type ScopedBudget } from '../budget/scoped-budget';
import { periodOf } from '../basics/period';
import type { CostCategory } from '../contracts/vocabulary';
import { fleetAllowance, scopedAllowance, type AllowanceTarget } from '../store/allowance-target';

/**
 * One hard budget an agent leases from: a fleet budget (its allowance per month), or one scoped
 * budget instance (its allowance per window, in the budget's time zone). Amounts and windows are
 * read from the config in force at each lease change, so a budget edited while its manager lives
 * is leased as it now is.
 */
export interface HardTarget {
  /** One lease manager per id: `fleet:AI_API_CALLS`, `scoped:agent-day|agent:writer-1`. */
  id: string;
  allowanceAt(nowMillis: number): AllowanceTarget;
  budgetMicros(): number;
}

type ConfigSource = () => BudgetConfig | undefined;

export function fleetTarget(key: BudgetKey, config: ConfigSource): HardTarget {
  return {
    id: `fleet:${key}`,
    allowanceAt: (nowMillis) => {
      const period = periodOf(new Date(nowMillis));
      return fleetAllowance(period.id, key, period.end.getTime());
    },
    budgetMicros: () => {
      const c = config();
      return c ? budgetMicrosOf(c, key) : 0;
    },
  };
}

export function scopedTarget(found: { budget: ScopedBudget; instance: string }, config: ConfigSource): HardTarget {
  // A budget removed since: its last known form (only its open leases still use it).
  const budget = () => (config() ? scopedBudgetsOf(config()!).find((b) => b.id === found.budget.id) : undefined) ?? found.budget;
  return {
    id: `scoped:${found.budget.id}|${found.instance}`,
    allowanceAt: (nowMillis) => {
      const b = budget();
      return scopedAllowance(b, found.instance, windowOf(b.window, b.timezone, new Date(nowMillis)));
    },
    budgetMicros: () => budget().amountMicros,
  };
}

/** A shadow budget is evaluated and recorded but never enforced: the guard leases nothing for it. */
function isShadow(budget: ScopedBudget): boolean {
  return budget.shadow === true;
}

/**
 * Every hard budget a call of `category` by `subject` must reserve against: the fleet's hard
 * category and total budgets, and each hard scoped budget (not a shadow one) whose scope takes the
 * subject (its agent, team, tenant, tags, model). No windows are computed here: a lease change does that.
 */
export function hardTargetsFor(config: BudgetConfig, subject: SpendSubject, category: CostCategory, source: ConfigSource): HardTarget[] {
  const hardScoped = scopedBudgetsOf(config).filter((b) => b.mode === 'hard' && !isShadow(b));
  return [
    ...hardBudgetsFor(config, category).map((key) => fleetTarget(key, source)),
    ...scopeInstancesFor(hardScoped, subject, category).map((found) => scopedTarget(found, source)),
  ];
}
