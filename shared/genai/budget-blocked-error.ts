import type { CostCategory, ThrottleLevel } from '../contracts/vocabulary';

/** A governed call refused before it was made: the throttle flag of its category says stop. */
export class BudgetBlockedError extends Error {
  override readonly name = 'BudgetBlockedError';
  constructor(
    readonly category: CostCategory,
    readonly level: ThrottleLevel,
  ) {
    super(`${category} is ${level} by its budget (or the total's): the call was not made`);
  }
}
