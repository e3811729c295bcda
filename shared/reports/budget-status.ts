import type { Firestore } from '@google-cloud/firestore';
import { periodOf } from '../basics/period';
import { BUDGET_KEYS, type BudgetKey } from '../budget/budget-config';
import { evaluateBudget, type BudgetState } from '../budget/evaluate-budgets';
import type { Forecast } from '../budget/forecast';
import type { ModelUsage } from '../budget/model-usage';
import { recommend, type Recommendation } from '../budget/recommendations';
import type { ThrottleLevel } from '../budget/thresholds';
import type { BudgetAlert } from '../contracts/budget-alert';
import type { PriceTable } from '../pricing/price-table';
import { alertsOfPeriod } from '../store/budget-alerts-store';
import { loadBudgetConfig, type ConfigOrigin } from '../store/budget-config-store';
import { readPeriodSpend, readPeriodStart } from '../store/spend-shards';
import { readFlags } from '../store/throttle-flags-store';
import { cacheSavingsBetween, type CacheSavings } from './cache-report';
import { peerOutliers, scopedBudgetLines, type ScopedBudgetLine, type ScopedStatusFilter } from './scope-report';

export interface BudgetLine {
  budget: BudgetKey;
  /** Today's category and total budgets are the fleet's, per UTC month. */
  scope: 'fleet';
  window: 'month';
  windowId: string;
  budgetMicros: number;
  spentMicros: number;
  /** Percent of the budget spent (Infinity for spend against a zero budget). */
  percent: number;
  remainingMicros: number;
  forecast: Forecast;
  /** The flag agents see now. */
  throttle: ThrottleLevel;
  alerts: { alertId: string; kind: string; severity: string; raisedAt: string; published: boolean }[];
}

export interface BudgetStatus {
  period: string;
  periodStart: string;
  periodEnd: string;
  generatedAt: string;
  configOrigin: ConfigOrigin;
  configRejected?: string;
  events: number;
  /** The fleet's monthly category and total budgets. */
  budgets: BudgetLine[];
  /** The scoped budgets' instances in their current windows (scope-report.ts). */
  scoped: ScopedBudgetLine[];
}

export interface BudgetReport extends BudgetStatus {
  models: Record<string, ModelUsage & { shareOfAiSpend: number }>;
  recommendations: Recommendation[];
  /** What the response cache's hits avoided this month (CACHE_SAVINGS metrics). */
  cacheSavings: CacheSavings;
}

async function gather(db: Firestore, now: Date, filter: ScopedStatusFilter = {}) {
  const period = periodOf(now);
  const [loaded, spend, flags, alerts, dataStart] = await Promise.all([
    loadBudgetConfig(db),
    readPeriodSpend(db, period.id),
    readFlags(db, period.id),
    alertsOfPeriod(db, period.id),
    readPeriodStart(db, period.id),
  ]);
  const spentMicros: Partial<Record<BudgetKey, number>> = { ...spend.categories, TOTAL: spend.totalMicros };
  // The fleet's monthly budgets unless the filter names another scope or window.
  const fleetShown = (filter.scope === undefined || filter.scope === 'fleet') && (filter.window === undefined || filter.window === 'month');
  const states = fleetShown ? BUDGET_KEYS.map((key) => evaluateBudget(key, { config: loaded.config, period, now, dataStart, spentMicros })) : [];
  const scoped = await scopedBudgetLines(db, loaded.config, now, filter);
  return { period, loaded, spend, flags, alerts, states, scoped };
}

function line(state: BudgetState, periodId: string, throttle: ThrottleLevel, alerts: (BudgetAlert & { published: boolean })[]): BudgetLine {
  return {
    budget: state.key,
    scope: 'fleet',
    window: 'month',
    windowId: periodId,
    budgetMicros: state.budgetMicros,
    spentMicros: state.spentMicros,
    percent: state.ratio * 100,
    remainingMicros: state.remainingMicros,
    forecast: state.forecast,
    throttle,
    alerts: alerts
      .filter((a) => a.category === state.key && a.scope === undefined)
      .map((a) => ({ alertId: a.alertId, kind: a.kind, severity: a.severity, raisedAt: a.raisedAt, published: a.published })),
  };
}

function statusOf(g: Awaited<ReturnType<typeof gather>>, now: Date): BudgetStatus {
  return {
    period: g.period.id,
    periodStart: g.period.start.toISOString(),
    periodEnd: g.period.end.toISOString(),
    generatedAt: now.toISOString(),
    configOrigin: g.loaded.origin,
    ...(g.loaded.rejected ? { configRejected: g.loaded.rejected } : {}),
    events: g.spend.events,
    budgets: g.states.map((s) => line(s, g.period.id, g.flags.budgets[s.key]?.level ?? 'none', g.alerts)),
    scoped: g.scoped,
  };
}

/** Per budget: spent, %, remaining, forecast, alerts raised and the flag in force, this period. */
export async function budgetStatus(db: Firestore, now: Date = new Date(), filter: ScopedStatusFilter = {}): Promise<BudgetStatus> {
  return statusOf(await gather(db, now, filter), now);
}

/** The status plus spend by model and recommendations computed from it and the price table. */
export async function budgetReport(db: Firestore, table: PriceTable, now: Date = new Date()): Promise<BudgetReport> {
  const [g, cacheSavings] = await Promise.all([gather(db, now), cacheSavingsBetween(db, periodOf(now).start, now)]);
  const outliers = await peerOutliers(db, g.loaded.config, now);
  const aiSpend = Object.values(g.spend.models).reduce((n, m) => n + m.micros, 0);
  return {
    ...statusOf(g, now),
    models: Object.fromEntries(Object.entries(g.spend.models).map(([name, m]) => [name, { ...m, shareOfAiSpend: aiSpend === 0 ? 0 : m.micros / aiSpend }])),
    recommendations: [...outliers, ...recommend(g.states, g.spend.models, table, now)],
    cacheSavings,
  };
}
