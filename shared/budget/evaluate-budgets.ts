import type { BudgetConfig, BudgetKey } from './budget-config';
import { budgetMicrosOf } from './budget-config';
import { forecastSpend, type Forecast } from './forecast';
import type { Period } from '../basics/period';
import { BUDGET_THRESHOLDS, FORECAST_THRESHOLD, type BudgetAlertLevel, type Threshold, type ThrottleLevel } from './thresholds';

export interface BudgetState {
  key: BudgetKey;
  budgetMicros: number;
  spentMicros: number;
  /** spent ÷ budget; Infinity when a zero budget has any spend. */
  ratio: number;
  remainingMicros: number;
  /** Every threshold at or below the current ratio. */
  crossed: readonly Threshold[];
  throttle: ThrottleLevel;
  forecast: Forecast;
}

/** An alert the state calls for; the adapter raises each id at most once. */
export interface AlertDraft {
  alertId: string;
  kind: 'budget' | 'forecast';
  key: BudgetKey;
  periodId: string;
  level: BudgetAlertLevel;
  /** The throttle the threshold sets ('none' for a forecast). */
  throttle: ThrottleLevel;
  /** alertThresholdExceeded or forecastThresholdExceeded, as in Cloud Billing notifications. */
  threshold: number;
  costMicros: number;
  budgetMicros: number;
  forecastMicros?: number;
}

export interface EvaluationInput {
  config: BudgetConfig;
  period: Period;
  now: Date;
  /** First recorded spend of the period, for the forecast's history. */
  dataStart: Date | undefined;
  spentMicros: Partial<Record<BudgetKey, number>>;
}

export function ratioOf(spentMicros: number, budgetMicros: number): number {
  if (budgetMicros === 0) return spentMicros > 0 ? Number.POSITIVE_INFINITY : 0;
  return spentMicros / budgetMicros;
}

/** The state of one budget: how much is spent, which thresholds are crossed, the forecast. */
export function evaluateBudget(key: BudgetKey, input: EvaluationInput): BudgetState {
  const budgetMicros = budgetMicrosOf(input.config, key);
  const spentMicros = input.spentMicros[key] ?? 0;
  const ratio = ratioOf(spentMicros, budgetMicros);
  const crossed = BUDGET_THRESHOLDS.filter((t) => ratio >= t.ratio);
  return {
    key,
    budgetMicros,
    spentMicros,
    ratio,
    remainingMicros: Math.max(0, budgetMicros - spentMicros),
    crossed,
    throttle: crossed.at(-1)?.throttle ?? 'none',
    forecast: forecastSpend(spentMicros, input.period, input.now, input.dataStart, input.config.forecast.minHistoryHours),
  };
}

/** The month's run-rate forecast passes the budget (what a forecast alert and recommendation say). */
export function forecastOverBudget(state: BudgetState): boolean {
  const f = state.forecast;
  return f.status === 'ok' && f.basis === 'run-rate' && ratioOf(f.forecastMicros, state.budgetMicros) > FORECAST_THRESHOLD;
}

/** Stable alert ids: one per (budget, period, threshold), whatever raises it. */
export function alertIdOf(kind: 'budget' | 'forecast', key: BudgetKey, periodId: string, threshold: number): string {
  return `${kind}_${key}_${periodId}_${Math.round(threshold * 100)}`;
}

/** Every alert the state calls for: one per crossed threshold, and a forecast alert past 100 %. */
export function alertsFor(state: BudgetState, periodId: string): AlertDraft[] {
  const base = { key: state.key, periodId, costMicros: state.spentMicros, budgetMicros: state.budgetMicros };
  const drafts: AlertDraft[] = state.crossed.map((t) => ({
    ...base,
    alertId: alertIdOf('budget', state.key, periodId, t.ratio),
    kind: 'budget',
    level: t.level,
    throttle: t.throttle,
    threshold: t.ratio,
  }));
  const f = state.forecast;
  if (f.status === 'ok' && forecastOverBudget(state)) {
    drafts.push({
      ...base,
      alertId: alertIdOf('forecast', state.key, periodId, FORECAST_THRESHOLD),
      kind: 'forecast',
      level: 'WARNING',
      throttle: 'none',
      threshold: FORECAST_THRESHOLD,
      forecastMicros: f.forecastMicros,
    });
  }
  return drafts;
}
