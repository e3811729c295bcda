/** Firestore collection names, in one place so functions, CLI, agents and tests agree. */
export const COLLECTIONS = {
  /** One document per cost event id: the idempotency record and the ledger entry. */
  costEvents: 'governor_cost_events',
  /** Sharded spend counters, `<period>_<shard>`: totals are sums over a period's shards. */
  spendShards: 'governor_spend_shards',
  /** One document per period: when its first spend was recorded (forecast history). */
  spendPeriods: 'governor_spend_periods',
  /** One document per budget alert id: raised exactly once, then published. */
  budgetAlerts: 'governor_budget_alerts',
  /** One document per period: throttle flags agents read through a live listener. */
  throttleFlags: 'governor_throttle_flags',
  /** Operator configuration (`budgets`, and `budgets_last_good` kept by the functions). */
  config: 'governor_config',
  /** Cumulative cost per Cloud Billing budget and interval, so re-sent notifications count once. */
  billingBudgets: 'governor_billing_budgets',
} as const;

/** Documents in `config`. */
export const CONFIG_DOCS = {
  budgets: 'budgets',
  budgetsLastGood: 'budgets_last_good',
} as const;

/** Field holding the time a document may be deleted by a Firestore TTL policy. */
export const TTL_FIELD = 'expireAt';

/** Collections whose documents expire by Firestore TTL on `expireAt` (infra/firestore.tf agrees). */
export const TTL_COLLECTIONS: readonly string[] = [COLLECTIONS.costEvents];
