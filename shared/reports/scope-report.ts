import type { Firestore } from '@google-cloud/firestore';
import { scopedBudgetsOf, type BudgetConfig } from '../budget/budget-config';
import { windowOf, type BudgetWindow } from '../budget/budget-window';
import { formatScope, isTemplate, parseScope, type ScopeKind } from '../budget/scope';
import { counterKeyOf, scopeOf, type ScopedBudget } from '../budget/scoped-budget';
import { ratioOf } from '../budget/evaluate-budgets';
import type { ThrottleLevel } from '../budget/thresholds';
import { COLLECTIONS } from '../basics/collections';
import { formatUsd } from '../basics/money';
import type { Recommendation } from '../budget/recommendations';
import { levelNow, readScopeFlags, stepNow } from '../store/scope-flags-store';
import type { StepEffect } from '../budget/degrade-ladder';
import { readBudgetWindow, readScopeTotal } from '../store/scope-spend';

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
  /** The degrade-ladder step in force (null: none, or no ladder): its action and the fraction it starts at. */
  step: { index: number; action: string; at: number; shadow: boolean } | null;
  /** A shadow budget: its flag and alerts are recorded, not enforced. */
  shadow: boolean;
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
        rows.push({ budget, instance: named, windowId: window.id, spentMicros: await readScopeTotal(db, key) });
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
        step: stepLine(stepNow(flags.get(instance)?.budgets[budget.id], now.getTime())),
        shadow: budget.shadow === true,
        alerts: (alerts.get(`${budget.id}|${windowId}`) ?? []).filter((a) => a.scope === instance).map(({ scope: _scope, ...a }) => a),
      };
    })
    .sort((a, b) => a.budget.localeCompare(b.budget) || b.spentMicros - a.spentMicros);
}

function stepLine(step: StepEffect | undefined): ScopedBudgetLine['step'] {
  return step ? { index: step.index, action: step.action, at: step.at, shadow: step.shadow } : null;
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
  /** `shadow`: the entry's budget is tried in shadow (its flag is shown, never enforced). */
  entries: { scope: string; budget: string; windowId: string; spentMicros: number; budgetMicros: number; percent: number; throttle: ThrottleLevel; shadow?: true }[];
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
    const entry: TopSpenders['entries'][number] = { scope: l.scope, budget: l.budget, windowId: l.windowId, spentMicros: l.spentMicros, budgetMicros: l.budgetMicros, percent: l.percent, throttle: l.throttle, ...(l.shadow ? { shadow: true as const } : {}) };
    const known = best.get(l.scope);
    // An instance under several budgets of the kind shows its strictest (highest percent) enforced
    // one; a shadow budget only when it has no enforced one.
    const outranks = (a: typeof entry, b: typeof entry): number => (a.shadow ? 0 : 1) - (b.shadow ? 0 : 1) || a.percent - b.percent;
    if (!known || outranks(entry, known) > 0) best.set(l.scope, entry);
  }
  const entries = [...best.values()].sort((a, b) => b.spentMicros - a.spentMicros || a.scope.localeCompare(b.scope)).slice(0, options.limit ?? 10);
  return { by: options.by, budgets: budgets.map((b) => b.id), window, entries };
}

export const PEER_OUTLIER_DEFAULTS = {
  // An instance spending this many times the median of its peers under one template budget stands out.
  multiple: 3,
  // Too few peers make a median meaningless.
  minPeers: 3,
} as const;

/**
 * Which agents (teams, tenants) spend most against their peers: per template budget, the
 * instances whose spend in the current window is at least 3× the median of all its instances.
 * Reads every instance of each template's window (a report, not the spend path).
 */
export async function peerOutliers(db: Firestore, config: BudgetConfig, now: Date): Promise<Recommendation[]> {
  const templates = scopedBudgetsOf(config).filter((b) => isTemplate(scopeOf(b)));
  const found = await Promise.all(
    templates.map(async (budget) => {
      const window = windowOf(budget.window, budget.timezone, now);
      const spenders = await readBudgetWindow(db, budget.id, window.id);
      if (spenders.length < PEER_OUTLIER_DEFAULTS.minPeers) return [];
      const sorted = spenders.map((s) => s.spentMicros).sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      const median = sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
      return spenders
        .filter((s) => median > 0 && s.spentMicros >= PEER_OUTLIER_DEFAULTS.multiple * median)
        .map((s): Recommendation => ({
          kind: 'peer-outlier',
          budget: budget.id,
          scope: s.instance,
          spentMicros: s.spentMicros,
          peerMedianMicros: median,
          peers: spenders.length,
          message: `${s.instance} spent ${formatUsd(s.spentMicros)} this ${budget.window} (${window.id}), ${(s.spentMicros / median).toFixed(1)}× the median of its ${spenders.length} peers under ${budget.id} (${formatUsd(median)}): check it for a loop or a mis-sized task`,
        }));
    }),
  );
  return found.flat().sort((a, b) => ('spentMicros' in b ? b.spentMicros : 0) - ('spentMicros' in a ? a.spentMicros : 0));
}
