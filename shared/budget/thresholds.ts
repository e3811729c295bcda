/** What each budget threshold means: the alert level it raises and the throttle it sets. */
export const THROTTLE_LEVELS = ['none', 'throttled', 'blocked'] as const;
export type ThrottleLevel = (typeof THROTTLE_LEVELS)[number];

export const BUDGET_ALERT_LEVELS = ['WARNING', 'CRITICAL', 'EXCEEDED'] as const;
export type BudgetAlertLevel = (typeof BUDGET_ALERT_LEVELS)[number];

export interface Threshold {
  /** Share of the budget, 0.8 = 80 %. */
  ratio: number;
  level: BudgetAlertLevel;
  throttle: ThrottleLevel;
}

/** The seed's thresholds: warn at 80 %, throttle at 95 %, block at 100 %. */
export const BUDGET_THRESHOLDS: readonly Threshold[] = [
  { ratio: 0.8, level: 'WARNING', throttle: 'none' },
  { ratio: 0.95, level: 'CRITICAL', throttle: 'throttled' },
  { ratio: 1, level: 'EXCEEDED', throttle: 'blocked' },
];

/** A forecast alert fires once the month's forecast passes the whole budget. */
export const FORECAST_THRESHOLD = 1;

export function throttleRank(level: ThrottleLevel): number {
  return THROTTLE_LEVELS.indexOf(level);
}

export function strictest(a: ThrottleLevel, b: ThrottleLevel): ThrottleLevel {
  return throttleRank(a) >= throttleRank(b) ? a : b;
}
