import { z } from 'zod';
import { COST_CATEGORIES, type CostCategory } from '../contracts/vocabulary';
import { OptionsError } from '../contracts/validation-error';
import { budgetModeSchema } from './budget-mode';
import { scopedBudgetsSchema, type ScopedBudget } from './scoped-budget';

/** A budget is per category or for everything together. */
export const TOTAL = 'TOTAL' as const;
export type BudgetKey = CostCategory | typeof TOTAL;
export const BUDGET_KEYS: readonly BudgetKey[] = [...COST_CATEGORIES, TOTAL];

const usd = (n: number): number => n * 1_000_000;

/** The seed's monthly budgets (USD 250 in total). */
export const DEFAULT_CATEGORY_BUDGETS_MICROS: Readonly<Record<CostCategory, number>> = {
  AI_API_CALLS: usd(100),
  STORAGE: usd(20),
  COMPUTE: usd(50),
  NETWORK: usd(10),
  DATABASE: usd(30),
  CACHING: usd(10),
  MONITORING: usd(5),
  OTHER: usd(25),
};

const micros = z.number().int().nonnegative().max(1_000_000_000_000_000);

export const budgetConfigSchema = z.strictObject({
  currencyCode: z.literal('USD'),
  totalMicros: micros.positive(),
  categories: z.strictObject(
    Object.fromEntries(COST_CATEGORIES.map((c) => [c, micros])) as Record<CostCategory, typeof micros>,
  ),
  forecast: z.strictObject({
    /** History needed before a forecast is trusted (and can raise an alert). */
    minHistoryHours: z.number().positive().max(31 * 24),
  }),
  /** Category that Cloud Billing budget notifications are counted in. */
  billingCategory: z.enum(COST_CATEGORIES),
  /** Budgets that are hard (leased allowance, shared/leasing); absent ones are soft. */
  budgetMode: budgetModeSchema.optional(),
  /**
   * Budgets per agent, team, tenant, tag or model, by hour, day, week or month (scoped-budget.ts).
   * Absent in configs stored before they existed: those keep working unchanged.
   */
  scoped: scopedBudgetsSchema.optional(),
});
export type BudgetConfig = z.infer<typeof budgetConfigSchema>;

export const DEFAULT_BUDGET_CONFIG: BudgetConfig = {
  currencyCode: 'USD',
  totalMicros: usd(250),
  categories: { ...DEFAULT_CATEGORY_BUDGETS_MICROS },
  // Three days: a weekday pattern is visible, a single spike does not yet forecast the month.
  forecast: { minHistoryHours: 72 },
  // Cloud Billing covers a project's whole bill; OTHER keeps it apart from what agents report.
  billingCategory: 'OTHER',
};

/** Validates a stored or edited config; throws `OptionsError` naming the bad field. */
export function parseBudgetConfig(value: unknown): BudgetConfig {
  const parsed = budgetConfigSchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

export function budgetMicrosOf(config: BudgetConfig, key: BudgetKey): number {
  return key === TOTAL ? config.totalMicros : config.categories[key];
}

/** A copy with one budget changed, validated. */
export function withBudget(config: BudgetConfig, key: string, amountMicros: number): BudgetConfig {
  if (!BUDGET_KEYS.includes(key as BudgetKey)) {
    throw new OptionsError([{ path: 'key', message: `"${key}" is not a category (${COST_CATEGORIES.join(', ')}) or total` }]);
  }
  const next = key === TOTAL
    ? { ...config, totalMicros: amountMicros }
    : { ...config, categories: { ...config.categories, [key]: amountMicros } };
  return parseBudgetConfig(next);
}

/** The scoped budgets of a config (none in a config stored before they existed). */
export function scopedBudgetsOf(config: BudgetConfig): readonly ScopedBudget[] {
  return config.scoped ?? [];
}

/** A copy with a scoped budget added or replaced (by id), validated. */
export function withScopedBudget(config: BudgetConfig, budget: ScopedBudget): BudgetConfig {
  const others = scopedBudgetsOf(config).filter((b) => b.id !== budget.id);
  return parseBudgetConfig({ ...config, scoped: [...others, budget] });
}

/** A copy without the scoped budget `id`; throws OptionsError when there is none. */
export function withoutScopedBudget(config: BudgetConfig, id: string): BudgetConfig {
  const budgets = scopedBudgetsOf(config);
  if (!budgets.some((b) => b.id === id)) {
    throw new OptionsError([{ path: 'id', message: `no scoped budget "${id}" (ids: ${budgets.map((b) => b.id).join(', ') || 'none'})` }]);
  }
  return parseBudgetConfig({ ...config, scoped: budgets.filter((b) => b.id !== id) });
}
