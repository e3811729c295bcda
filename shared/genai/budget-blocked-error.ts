import type { CostCategory, ThrottleLevel } from '../contracts/vocabulary';

/** A governed call refused before it was made: the throttle flag of its category (or a ladder's block step) says stop, or a breaker paused the agent. */
export class BudgetBlockedError extends Error {
  override readonly name = 'BudgetBlockedError';
  constructor(
    readonly category: CostCategory,
    readonly level: ThrottleLevel,
    /** Which budget blocked, in words (from the reader's plan), when known. */
    readonly reason?: string,
  ) {
    super(reason ? `${category} call blocked by ${reason}: the call was not made` : level === 'paused' ? `${category} is paused by a burn-rate breaker (a runaway or a loop; see reader.why()): the call was not made` : `${category} is ${level} by its budget (or the total's): the call was not made`);
  }
}
