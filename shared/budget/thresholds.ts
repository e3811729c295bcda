import { THROTTLE_LEVELS, type BudgetAlertLevel, type ThrottleLevel } from '../contracts/vocabulary';

// The levels are wire vocabulary (budget alerts and flags carry them); budget code keeps naming them here.
export { THROTTLE_LEVELS } from '../contracts/vocabulary';
export type { BudgetAlertLevel, ThrottleLevel } from '../contracts/vocabulary';

/** What each budget threshold means: the alert level it raises and the throttle it sets. */
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
