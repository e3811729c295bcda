import type { Firestore } from '@google-cloud/firestore';
import type { BudgetConfig } from '../../shared/budget/budget-config';
import { isTemplate, parseScope, ScopeError } from '../../shared/budget/scope';
import { COLLECTIONS } from '../../shared/basics/collections';
import { ReportError, scopedBudgetLines, topSpenders, type ScopedBudgetLine, type TopSpenders } from '../../shared/reports/scope-report';
import type { SpendCurve, WatchedSpend } from '../../shared/reports/spend-over-time';

/** The dimensions the top-spenders panel ranks. */
export const TOP_PANELS = ['agent', 'team'] as const;
export type TopPanelDimension = (typeof TOP_PANELS)[number];

/** A ranking, or what to configure first when no budget of the dimension counts its spend. */
export type TopPanel = TopSpenders | { by: TopPanelDimension; hint: string };

export const SCOPE_SECTION_DEFAULTS = {
  // Rows per ranking: the table and the bar chart stay readable.
  topLimit: 10,
  // Distinct scopes the viewers of one instance may drill into at once: each costs its counters' reads per refresh.
  maxDrillDownScopes: 20,
  // Scoped alerts listed in the recent-alerts list (newest first).
  maxScopedAlerts: 50,
} as const;

/** The top spenders by agent and by team in their budgets' current windows, each with its budget and flag. */
async function readTopPanels(db: Firestore, config: BudgetConfig, now: Date): Promise<Record<TopPanelDimension, TopPanel>> {
  const panels = await Promise.all(
    TOP_PANELS.map(async (by): Promise<TopPanel> => {
      try {
        return await topSpenders(db, config, now, { by, limit: SCOPE_SECTION_DEFAULTS.topLimit });
      } catch (error) {
        // No budget of the kind: the panel shows the hint (which budget to add), the page still loads.
        if (error instanceof ReportError) return { by, hint: error.message };
        throw error;
      }
    }),
  );
  return Object.fromEntries(panels.map((p) => [p.by, p])) as Record<TopPanelDimension, TopPanel>;
}

/** The scoped budgets' lines (the top instances of each template) and the rankings, as last read. */
export interface ScopedSnapshot {
  readAt: number;
  lines: ScopedBudgetLine[];
  top: Record<TopPanelDimension, TopPanel>;
}

/**
 * The scoped lines and rankings, read again only once the last read is `maxAgeMilliseconds` old.
 * A template budget's read goes through every counter shard of its current window (scope-report's
 * readBudgetWindow: up to 16 documents per instance that spent in it), so its cost grows with the
 * instances: read at most once per interval, whatever the changes and viewers, it is bounded by time.
 */
export async function scopedSnapshot(db: Firestore, config: BudgetConfig, now: Date, previous: ScopedSnapshot | undefined, maxAgeMilliseconds: number): Promise<ScopedSnapshot> {
  if (previous && now.getTime() - previous.readAt < maxAgeMilliseconds) return previous;
  const [lines, top] = await Promise.all([scopedBudgetLines(db, config, now), readTopPanels(db, config, now)]);
  return { readAt: now.getTime(), lines, top };
}

/** A scoped budget alert as the recent-alerts list shows it. */
export interface ScopedAlertItem {
  alertId: string;
  severity: string;
  raisedAt: string;
  published: boolean;
  budgetId: string;
  scope: string;
  windowId: string;
}

/**
 * Scoped budget alerts raised since `since`, newest first (one query on `raisedAt`, capped). They
 * are read apart from the fleet's period alerts: a scoped alert's period is its window's start,
 * and only the top instances of each budget are in the status lines.
 */
export async function recentScopedAlerts(db: Firestore, since: Date): Promise<ScopedAlertItem[]> {
  const snapshot = await db.collection(COLLECTIONS.budgetAlerts).where('raisedAt', '>=', since.toISOString()).orderBy('raisedAt', 'desc').limit(SCOPE_SECTION_DEFAULTS.maxScopedAlerts).get();
  return snapshot.docs
    .filter((d) => typeof d.get('budgetId') === 'string')
    .map((d) => ({
      alertId: d.id,
      severity: d.get('severity') as string,
      raisedAt: d.get('raisedAt') as string,
      published: d.get('published') === true,
      budgetId: d.get('budgetId') as string,
      scope: d.get('scope') as string,
      windowId: d.get('windowId') as string,
    }));
}

/** One scope instance in detail: each of its budgets in the current window, and the curve of the fullest one. */
export interface DrillDown {
  scope: string;
  lines: ScopedBudgetLine[];
  curve: SpendCurve | null;
}

/**
 * A drill-down scope as a viewer asks for it (`?scope=agent:writer-1`): one instance, not a
 * template; a bad one is an error naming the parameter.
 */
export function drillDownScopeOf(text: string): string {
  try {
    const scope = parseScope(text);
    if (isTemplate(scope)) throw new ScopeError(`"${text}" is a template: name one instance, e.g. ${scope.kind}:<name>`);
    return text;
  } catch (error) {
    throw new ScopeError(`scope: ${(error as Error).message}`);
  }
}

/**
 * The scopes viewers drill into, the first `maxDrillDownScopes` of them: each is read on every
 * live refresh, so their number bounds the refresh's reads (a viewer past it sees no drill-down).
 */
export function drillDownScopes(asked: readonly (string | undefined)[]): Set<string> {
  const distinct = [...new Set(asked.filter((s): s is string => s !== undefined))];
  return new Set(distinct.slice(0, SCOPE_SECTION_DEFAULTS.maxDrillDownScopes));
}

/** The drill-downs of the scopes viewers watch: one scoped-lines read per scope, samples kept in `watched`. */
export async function readDrillDowns(db: Firestore, config: BudgetConfig, now: Date, scopes: ReadonlySet<string>, watched: WatchedSpend): Promise<Map<string, DrillDown>> {
  watched.retain(scopes);
  const entries = await Promise.all(
    [...scopes].map(async (scope) => {
      const lines = await scopedBudgetLines(db, config, now, { scope });
      // The curve follows the budget the scope is closest to exhausting.
      const fullest = [...lines].sort((a, b) => b.percent - a.percent)[0];
      return [scope, { scope, lines, curve: fullest ? watched.record(fullest, now.getTime()) : null }] as const;
    }),
  );
  return new Map(entries);
}
