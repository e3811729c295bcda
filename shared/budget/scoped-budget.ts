import { z } from 'zod';
import { COST_CATEGORIES, type CostCategory } from '../contracts/vocabulary';
import { BUDGET_MODES } from './budget-mode';
import { describeLadder, ladderSchema } from './degrade-ladder';
import { BUDGET_WINDOWS, isTimeZone, windowOf, type BudgetWindow, type WindowSpan } from './budget-window';
import { formatScope, parseScope, ScopeError, scopeInstanceOf, type Scope, type SpendSubject } from './scope';

/**
 * A budget = scope × window × optional category × amount × mode. `agent:*` (and `team:*`,
 * `tenant:*`) give every instance its own budget of the amount; `category` absent means all
 * spend. Today's monthly category/total budgets are the fleet's and stay where they are in the
 * config (`categories`, `totalMicros`); these come beside them in `scoped`.
 */
export const scopedBudgetSchema = z.strictObject({
  /** Names the budget in alerts, flags and the CLI; lower case, digits and dashes. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lower-case letters, digits and - only (at most 48), starting with a letter or digit'),
  scope: z.string().superRefine((text, ctx) => {
    try {
      parseScope(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof ScopeError ? error.message : String(error) });
    }
  }),
  category: z.enum(COST_CATEGORIES).optional(),
  window: z.enum(BUDGET_WINDOWS),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Paris').default('UTC'),
  amountMicros: z.number().int().positive().max(1_000_000_000_000_000),
  mode: z.enum(BUDGET_MODES).default('soft'),
  /** Steps at fractions of the budget: prefer the cache, downgrade models, cache only, block (degrade-ladder.ts). */
  ladder: ladderSchema.optional(),
  /** Evaluated and recorded (alerts marked shadow, flags visible in status) but never enforced. */
  shadow: z.boolean().optional(),
});
export type ScopedBudget = z.infer<typeof scopedBudgetSchema>;
export type ScopedBudgetInput = z.input<typeof scopedBudgetSchema>;

/** At most this many scoped budgets: each costs a counter write per commit for the events it covers. */
export const MAX_SCOPED_BUDGETS = 100;

export const scopedBudgetsSchema = z
  .array(scopedBudgetSchema)
  .max(MAX_SCOPED_BUDGETS)
  .superRefine((budgets, ctx) => {
    const seen = new Set<string>();
    budgets.forEach((b, i) => {
      if (seen.has(b.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `budget id "${b.id}" is used twice` });
      seen.add(b.id);
    });
  });

/** The scope of a validated budget. */
export function scopeOf(budget: ScopedBudget): Scope {
  return parseScope(budget.scope);
}

/** One scoped budget instance a cost counts under: the budget, its scope instance and the window. */
export interface BudgetInstance {
  budget: ScopedBudget;
  /** `agent:writer-1`, `team:search`, `fleet`, … */
  instance: string;
  window: WindowSpan;
}

/** The counter a budget instance's spend is summed in: one per (budget, scope instance, window). */
export function counterKeyOf(budgetId: string, instance: string, windowId: string): string {
  return `${budgetId}|${instance}|${windowId}`;
}

/** Every scoped budget a cost of `category` by `subject` counts under, with its scope instance (whatever the window). */
export function scopeInstancesFor(budgets: readonly ScopedBudget[], subject: SpendSubject, category: CostCategory): Omit<BudgetInstance, 'window'>[] {
  const instances: Omit<BudgetInstance, 'window'>[] = [];
  for (const budget of budgets) {
    if (budget.category !== undefined && budget.category !== category) continue;
    const instance = scopeInstanceOf(scopeOf(budget), subject);
    if (instance !== undefined) instances.push({ budget, instance });
  }
  return instances;
}

/** Every scoped budget instance a cost of `category` by `subject` at `at` counts under. */
export function budgetInstancesFor(budgets: readonly ScopedBudget[], subject: SpendSubject, category: CostCategory, at: Date): BudgetInstance[] {
  return scopeInstancesFor(budgets, subject, category).map((found) => ({ ...found, window: windowOf(found.budget.window, found.budget.timezone, at) }));
}

/** A one-line description: `agent:* daily (Europe/Paris), AI_API_CALLS, $5.00, hard`. */
export function describeBudget(budget: ScopedBudget): string {
  const window: Record<BudgetWindow, string> = { hour: 'hourly', day: 'daily', week: 'weekly', month: 'monthly' };
  const zone = budget.timezone === 'UTC' ? '' : ` (${budget.timezone})`;
  const ladder = budget.ladder ? `, ladder ${describeLadder(budget.ladder)}` : '';
  return `${formatScope(scopeOf(budget))} ${window[budget.window]}${zone}, ${budget.category ?? 'all categories'}, $${(budget.amountMicros / 1e6).toFixed(2)}, ${budget.mode}${ladder}${budget.shadow ? ', shadow' : ''}`;
}
