import type { Firestore } from '@google-cloud/firestore';
import { scopedBudgetsOf, type BudgetConfig } from '../budget/budget-config';
import { windowOf, type BudgetWindow } from '../budget/budget-window';
import { formatScope, isTemplate, parseScope, type ScopeKind } from '../budget/scope';
import { counterKeyOf, scopeOf, type ScopedBudget } from '../budget/scoped-budget';
import { ratioOf } from '../budget/evaluate-budgets';
import type { ThrottleLevel } from '../budget/thresholds';
import { COLLECTIONS } from '../basics/collections';
import { levelNow, readScopeFlags } from '../store/scope-flags-store';
import { readBudgetWindow, readScopeTotals } from '../store/scope-spend';

/** One scoped budget instance in its current window, as `budget status` lists it. */
export interface ScopedBudgetLine {
  budget: string;
  scope: string;
  window: BudgetWindow;
  windowId: string;
  windowStart: string;
  windowEnd: string;
  timezone: string;
  category: string;
  mode: 'soft' | 'hard';
  budgetMicros: number;
  spentMicros: number;
  percent: number;
  remainingMicros: number;
  throttle: ThrottleLevel;
  alerts: { alertId: string; severity: string; raisedAt: string; published: boolean }[];
}

export class ReportError extends Error {
  override readonly name = 'ReportError';
}

export interface ScopedStatusFilter {
  /** A scope instance (`agent:writer-1`) or a budget scope (`agent:*`, `fleet`): only its budgets. */
  scope?: string;
  window?: BudgetWindow;
  /** Instances listed per template budget, highest spend first (default 10); a scope filter lists its own. */
  instancesPerTemplate?: number;
}

/** Whether a budget's scope covers the filter: the same scope, or a template over the instance. */
function budgetCovers(budget: ScopedBudget, filter: string): boolean {
  const scope = scopeOf(budget);
  const wanted = parseScope(filter);
  if (formatScope(scope) === formatScope(wanted)) return true;
  return isTemplate(scope) && wanted.kind === scope.kind;
}

/**
 * Every scoped budget's instances in their current window: spent, percent, flag, alerts. A named
 * scope is one instance; a template lists the instances that spent in the window (the top
 * `instancesPerTemplate`, or the one the filter names).
 */
export async function scopedBudgetLines(db: Firestore, config: BudgetConfig, now: Date, filter: ScopedStatusFilter = {}): Promise<ScopedBudgetLine[]> {
  if (filter.scope !== undefined) parseScope(filter.scope);
  const budgets = scopedBudgetsOf(config).filter((b) => (filter.window === undefined || b.window === filter.window) && (filter.scope === undefined || budgetCovers(b, filter.scope)));
  const rows: { budget: ScopedBudget; instance: string; windowId: string; spentMicros: number }[] = [];
  await Promise.all(
    budgets.map(async (budget) => {
      const window = windowOf(budget.window, budget.timezone, now);
      const scope = scopeOf(budget);
      const named = filter.scope !== undefined && !isTemplate(parseScope(filter.scope)) ? filter.scope : isTemplate(scope) ? undefined : formatScope(scope);
      if (named !== undefined) {
        const key = counterKeyOf(budget.id, named, window.id);
        rows.push({ budget, instance: named, windowId: window.id, spentMicros: (await readScopeTotals(db, [key]))[key] ?? 0 });
        return;
      }
      const spenders = await readBudgetWindow(db, budget.id, window.id);
      for (const s of spenders.slice(0, filter.instancesPerTemplate ?? 10)) rows.push({ budget, instance: s.instance, windowId: window.id, spentMicros: s.spentMicros });
    }),
  );
  const flags = await readScopeFlags(db, [...new Set(rows.map((r) => r.instance))]);
  const alerts = await alertsOf(db, rows.map((r) => ({ budgetId: r.budget.id, windowId: r.windowId })));
  return rows
    .map(({ budget, instance, windowId, spentMicros }) => {
      const window = windowOf(budget.window, budget.timezone, now);
      return {
        budget: budget.id,
        scope: instance,
        window: budget.window,
        windowId,
        windowStart: window.start.toISOString(),
        windowEnd: window.end.toISOString(),
        timezone: budget.timezone,
        category: budget.category ?? 'TOTAL',
        mode: budget.mode,
        budgetMicros: budget.amountMicros,
        spentMicros,
        percent: ratioOf(spentMicros, budget.amountMicros) * 100,
        remainingMicros: Math.max(0, budget.amountMicros - spentMicros),
        throttle: levelNow(flags.get(instance)?.budgets[budget.id], now.getTime()),
        alerts: (alerts.get(`${budget.id}|${windowId}`) ?? []).filter((a) => a.scope === instance).map(({ scope: _scope, ...a }) => a),
      };
    })
    .sort((a, b) => a.budget.localeCompare(b.budget) || b.spentMicros - a.spentMicros);
}

/** The scoped alerts raised per (budget, window), keyed `budgetId|windowId`. */
async function alertsOf(db: Firestore, windows: readonly { budgetId: string; windowId: string }[]) {
  const unique = [...new Map(windows.map((w) => [`${w.budgetId}|${w.windowId}`, w])).values()];
  const result = new Map<string, { alertId: string; severity: string; raisedAt: string; published: boolean; scope: string }[]>();
  await Promise.all(
    unique.map(async (w) => {
      const snapshot = await db.collection(COLLECTIONS.budgetAlerts).where('budgetId', '==', w.budgetId).where('windowId', '==', w.windowId).get();
      result.set(
        `${w.budgetId}|${w.windowId}`,
        snapshot.docs.map((d) => ({ alertId: d.id, severity: d.get('severity') as string, raisedAt: d.get('raisedAt') as string, published: d.get('published') === true, scope: d.get('scope') as string })),
      );
    }),
  );
  return result;
}

export const TOP_DIMENSIONS = ['agent', 'team', 'tenant', 'tag', 'model'] as const satisfies readonly ScopeKind[];
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export interface TopSpenders {
  by: TopDimension;
  /** The budgets the spend was read from (a template's, or every named budget of the kind). */
  budgets: string[];
  window: BudgetWindow;
  entries: { scope: string; budget: string; windowId: string; spentMicros: number; budgetMicros: number; percent: number; throttle: ThrottleLevel }[];
}

/**
 * The top spenders of a dimension in the current window, highest first, each with its budget and
 * flag. Spend per agent, team, … is counted by the budgets of that kind (`agent:*` counts every
 * agent): without one there is nothing to rank, and the error says which budget to add.
 */
export async function topSpenders(db: Firestore, config: BudgetConfig, now: Date, options: { by: TopDimension; window?: BudgetWindow; limit?: number }): Promise<TopSpenders> {
  const ofKind = scopedBudgetsOf(config).filter((b) => scopeOf(b).kind === options.by && (options.window === undefined || b.window === options.window));
  if (ofKind.length === 0) {
    const windowText = options.window ? ` with a ${options.window} window` : '';
    const scope = options.by === 'tag' || options.by === 'model' ? `${options.by}:<name>` : `${options.by}:*`;
    throw new ReportError(`no ${options.by} budget${windowText} counts spend per ${options.by}: add one, e.g. governor budget set 100 --scope ${scope} --window ${options.window ?? 'day'}`);
  }
  const window = options.window ?? ofKind[0]!.window;
  const budgets = ofKind.filter((b) => b.window === window);
  const lines = await scopedBudgetLines(db, { ...config, scoped: budgets }, now, { instancesPerTemplate: options.limit ?? 10 });
  const best = new Map<string, TopSpenders['entries'][number]>();
  for (const l of lines) {
    const entry = { scope: l.scope, budget: l.budget, windowId: l.windowId, spentMicros: l.spentMicros, budgetMicros: l.budgetMicros, percent: l.percent, throttle: l.throttle };
    const known = best.get(l.scope);
    // An instance under several budgets of the kind shows its strictest (highest percent) one.
    if (!known || entry.percent > known.percent) best.set(l.scope, entry);
  }
  const entries = [...best.values()].sort((a, b) => b.spentMicros - a.spentMicros || a.scope.localeCompare(b.scope)).slice(0, options.limit ?? 10);
  return { by: options.by, budgets: budgets.map((b) => b.id), window, entries };
}
