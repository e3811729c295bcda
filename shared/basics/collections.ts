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
  /**
   * Metric aggregates per (resolution, bucket, series, shard): count/sum/min/max/last + DDSketch;
   * minute buckets also keep hashes of the event ids they merged (idempotency).
   */
  metricBuckets: 'governor_metric_buckets',
  /** Hysteresis state per (alert rule, label group). */
  metricAlertStates: 'governor_metric_alert_states',
  /** Performance alerts raised or cleared, with their publication state (an outbox). */
  performanceAlerts: 'governor_performance_alerts',
  /**
   * Failures per (subject, minute): counts by kind, hashes of the event ids merged (idempotency).
   * The fail2ban find window sums these; the security report aggregates them.
   */
  securityStrikes: 'governor_security_strikes',
  /** Security events kept one by one (all subject-less ones, the first few per subject and minute). */
  securityAudit: 'governor_security_audit',
  /** One document per banned subject: the active ban (`expiresAt`) and the ban history. */
  bans: 'governor_bans',
  /** One document per rotated secret: the rotator's lease and the last rotation. */
  keyRotations: 'governor_key_rotations',
  /** One document per (route, alert delivery): queued, sending or sent — never sent twice. */
  alertDeliveries: 'governor_alert_deliveries',
  /** One document per alert route: when it last emailed (the digest window) and who is sending. */
  alertRoutes: 'governor_alert_routes',
  /** One document per load-test task (`<runId>_<task>`): its serialized recording, merged by the CLI. */
  loadtestResults: 'governor_loadtest_results',
  /**
   * Hard budgets' allowance: leases outstanding and spend charged. The fleet's `<period>_<BUDGET>_<shard>`
   * (kept); a scoped budget instance's `<URI-encoded budget|instance|window>~<shard>`, expiring by TTL.
   */
  allowanceShards: 'governor_allowance_shards',
  /**
   * Scoped budgets' spend, `<counter>~<shard>`: one counter per (budget, scope instance, window),
   * sharded so one busy agent never makes its own counter hot; totals are sums over the shards.
   */
  scopeSpend: 'governor_scope_spend',
  /** One document per scope instance (`agent:writer-1`, `team:search`, …): its budgets' flags. */
  scopeFlags: 'governor_scope_flags',
  /** Price entries added without a redeploy (`governor prices add`), `<model>@<effectiveFrom>`: created once, never edited. */
  prices: 'governor_prices',
  /** One document per (model without a price, UTC day): its operator alert, raised once. */
  unpricedModels: 'governor_unpriced_models',
  /**
   * Spend per (scope instance, minute) under a burn-rate breaker, `<instance>|<minute ms>`: each
   * spend-aggregator instance adds what it committed every few seconds (the breaker's history).
   */
  burnMinutes: 'governor_burn_minutes',
  /** The peers' baselines of the burn-rate breakers (`peers`: fleet and per-team median minute rates), kept by the budget tick. */
  burnBaselines: 'governor_burn_baselines',
  /** One document per (breaker rule, scope instance): its current or last trip, and the trip's alert (an outbox). */
  runawayTrips: 'governor_runaway_trips',
} as const;

/** Documents in `config`. */
export const CONFIG_DOCS = {
  budgets: 'budgets',
  budgetsLastGood: 'budgets_last_good',
  metricRules: 'metric_rules',
  metricRulesLastGood: 'metric_rules_last_good',
  /** Cloud Monitoring export progress: the last minute exported. */
  metricExportCursor: 'metric_export_cursor',
  securityPolicy: 'security_policy',
  securityPolicyLastGood: 'security_policy_last_good',
  keyRotation: 'key_rotation',
  keyRotationLastGood: 'key_rotation_last_good',
  alertRouting: 'alert_routing',
  alertRoutingLastGood: 'alert_routing_last_good',
  breakers: 'breakers',
  breakersLastGood: 'breakers_last_good',
} as const;

/** Field holding the time a document may be deleted by a Firestore TTL policy. */
export const TTL_FIELD = 'expireAt';

/** Collections whose documents expire by Firestore TTL on `expireAt` (infra/firestore.tf agrees). */
export const TTL_COLLECTIONS: readonly string[] = [COLLECTIONS.costEvents, COLLECTIONS.metricBuckets, COLLECTIONS.securityStrikes, COLLECTIONS.securityAudit, COLLECTIONS.bans, COLLECTIONS.alertDeliveries, COLLECTIONS.scopeSpend, COLLECTIONS.allowanceShards, COLLECTIONS.burnMinutes];
