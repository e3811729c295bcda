import type { CostCategory, ThrottleLevel } from '../contracts/vocabulary';

/** A governed call refused before it was made: the throttle flag of its category says stop (or a breaker paused the agent). */
export class BudgetBlockedError extends Error {
  override readonly name = 'BudgetBlockedError';
  constructor(
    readonly category: CostCategory,
    readonly level: ThrottleLevel,
  ) {
    super(level === 'paused' ? `${category} is paused by a burn-rate breaker (a runaway or a loop; see reader.why()): the call was not made` : `${category} is ${level} by its budget (or the total's): the call was not made`);
  }
}
