import { formatUsd } from '../basics/money';

export interface RefusalDetails {
  budget: string;
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

/** A call refused by a hard budget: its estimate does not fit what is left. */
export class HardBudgetExceededError extends Error {
  override readonly name = 'HardBudgetExceededError';

  constructor(readonly details: RefusalDetails) {
    const d = details;
    const fragment = d.remainingMicros >= d.estimateMicros ? `; no single shard has that much free (largest ${formatUsd(d.largestGrantMicros)})` : '';
    super(
      `hard budget ${d.budget} (${d.periodId}) refused a call estimated at ${formatUsd(d.estimateMicros)}: ` +
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
