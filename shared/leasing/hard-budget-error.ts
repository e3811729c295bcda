import { formatUsd } from '../basics/money';

export interface RefusalDetails {
  /** The budget that refused: a fleet budget (`AI_API_CALLS`, `TOTAL`) or a scoped budget's id. */
  budget: string;
  /** `fleet` for the fleet's budgets, else the scope instance whose allowance ran out (`agent:writer-1`). */
  scope: string;
  /** `month` for the fleet's budgets, else the scoped budget's window (`hour`, `day`, `week`, `month`). */
  window: string;
  /** The month (`2026-12`) or window id (`2026-12-07`, `2026-W49`, `2026-12-07T14+0000`). */
  periodId: string;
  estimateMicros: number;
  /** Allowance no lease holds yet, over all shards. */
  remainingMicros: number;
  /** The most any one shard could grant (a call must fit one shard). */
  largestGrantMicros: number;
  /** Allowance leased to running agents (it returns when their leases end). */
  leasedMicros: number;
  budgetMicros: number;
}

/**
 * A call refused by a hard budget: its estimate does not fit what is left. The message names the
 * budget, and for a scoped budget its scope instance and window, so the caller knows which one tripped.
 */
export class HardBudgetExceededError extends Error {
  override readonly name = 'HardBudgetExceededError';

  constructor(readonly details: RefusalDetails) {
    const d = details;
    const fragment = d.remainingMicros >= d.estimateMicros ? `; no single shard has that much free (largest ${formatUsd(d.largestGrantMicros)})` : '';
    // The fleet's monthly budgets are named in upper case (`TOTAL`), scoped budgets' ids in lower case.
    const fleetMonthly = d.scope === 'fleet' && d.window === 'month' && /^[A-Z_]+$/.test(d.budget);
    const where = fleetMonthly ? d.periodId : `${d.scope}, ${d.window} ${d.periodId}`;
    super(
      `hard budget ${d.budget} (${where}) refused a call estimated at ${formatUsd(d.estimateMicros)}: ` +
        `${formatUsd(Math.max(0, d.remainingMicros))} left of ${formatUsd(d.budgetMicros)}, ${formatUsd(d.leasedMicros)} leased to running agents${fragment}`,
    );
  }
}

/** The guard was closed; no more reservations. */
export class SpendGuardClosedError extends Error {
  override readonly name = 'SpendGuardClosedError';
  constructor() {
    super('the spend guard is closed');
  }
}
