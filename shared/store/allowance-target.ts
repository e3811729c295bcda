import { Timestamp } from '@google-cloud/firestore';
import type { BudgetKey } from '../budget/budget-config';
import type { WindowSpan } from '../budget/budget-window';
import { scopeInstanceOf } from '../budget/scope';
import { counterKeyOf, scopeOf, type ScopedBudget } from '../budget/scoped-budget';
import { TTL_FIELD } from '../basics/collections';
import type { CostEvent } from '../contracts/cost-event';

export const ALLOWANCE_TARGET_DEFAULTS = {
  // A scoped instance's allowance documents outlive their window by this much (late lease returns,
  // `budget allowance` after the fact), then expire by TTL; the fleet's monthly ones are kept.
  scopedRetentionDays: 35,
} as const;

/** A ledger entry as the reaper reads it: the fields it selects. */
export interface LedgerSpend {
  category: string;
  amountMicros: number;
  /** The event as JSON (attribution, usage model): read only for scoped allowance. */
  event?: string;
}

/**
 * What one set of allowance shards belongs to: a fleet budget in a month (`<YYYY-MM>_<BUDGET>_<n>`,
 * the names stored allowance has always had) or one scoped budget instance in one window
 * (`<URI-encoded budget|instance|window>~<n>`, like its spend counter: an encoded key always holds
 * `%7C`, a fleet name never does, so the two cannot collide).
 */
export interface AllowanceTarget {
  /** What a refusal names: `AI_API_CALLS`, or the scoped budget's id. */
  budget: string;
  /** `fleet` for the fleet's budgets, else the scope instance (`agent:writer-1`, `team:search`). */
  scope: string;
  /** `month` for the fleet's budgets, else the scoped budget's window kind. */
  window: string;
  /** The month (`2026-12`) or window id (`2026-12-07`) the allowance is for. */
  windowId: string;
  /** Exclusive end of the window, ms: no lease is usable past it, the next window has its own allowance. */
  windowEndMillis: number;
  /** Document id of shard `shard`. */
  docId(shard: number): string;
  /** Fields every shard document carries besides its state. */
  fields(): Record<string, unknown>;
  /** Ledger fields `counts` needs. */
  ledgerFields: readonly string[];
  /** Whether a ledger entry counts under this budget: what a reaped lease is charged from. */
  counts(entry: LedgerSpend): boolean;
}

/** A fleet budget's allowance in a month (periodOf's id and end). */
export function fleetAllowance(periodId: string, key: BudgetKey, periodEndMillis: number): AllowanceTarget {
  return {
    budget: key,
    scope: 'fleet',
    window: 'month',
    windowId: periodId,
    windowEndMillis: periodEndMillis,
    docId: (shard) => `${periodId}_${key}_${shard}`,
    fields: () => ({ period: periodId, key }),
    ledgerFields: ['amountMicros', 'category'],
    counts: (entry) => key === 'TOTAL' || entry.category === key,
  };
}

/**
 * One scoped budget instance's allowance in one window. The reaper counts a ledger entry only if
 * the budget covers its category and the entry's own agent, attribution and model put it under
 * this scope instance — what spend-aggregator's counter for the instance counts.
 */
export function scopedAllowance(budget: ScopedBudget, instance: string, window: WindowSpan): AllowanceTarget {
  const counter = counterKeyOf(budget.id, instance, window.id);
  const scope = scopeOf(budget);
  return {
    budget: budget.id,
    scope: instance,
    window: budget.window,
    windowId: window.id,
    windowEndMillis: window.end.getTime(),
    docId: (shard) => `${encodeURIComponent(counter)}~${shard}`,
    fields: () => ({
      counter,
      budgetId: budget.id,
      scope: instance,
      window: budget.window,
      windowId: window.id,
      windowEnd: Timestamp.fromDate(window.end),
      [TTL_FIELD]: Timestamp.fromMillis(window.end.getTime() + ALLOWANCE_TARGET_DEFAULTS.scopedRetentionDays * 86_400_000),
    }),
    ledgerFields: ['amountMicros', 'category', 'event'],
    counts: (entry) => {
      if (budget.category !== undefined && entry.category !== budget.category) return false;
      if (entry.event === undefined) return false;
      const event = JSON.parse(entry.event) as CostEvent;
      return scopeInstanceOf(scope, { source: event.source, attribution: event.payload.attribution, model: event.payload.usage?.model }) === instance;
    },
  };
}
