/**
 * The closed vocabularies of Governor's events: the seed's eight cost categories, eight metric
 * types (plus CACHE_SAVINGS, the response cache's avoided cost) and eight security event types, and
 * the levels budget alerts and throttle flags carry. `as const` tuples are the single source; unions derive.
 */

export const EVENT_TYPES = ['cost', 'metric', 'security'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const COST_CATEGORIES = [
  'AI_API_CALLS',
  'STORAGE',
  'COMPUTE',
  'NETWORK',
  'DATABASE',
  'CACHING',
  'MONITORING',
  'OTHER',
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

export const METRIC_TYPES = [
  'LATENCY',
  'THROUGHPUT',
  'ERROR_RATE',
  'CPU_USAGE',
  'MEMORY_USAGE',
  'AGENT_PERFORMANCE',
  'API_CALLS',
  'CACHE_HIT_RATE',
  // Cost a cache hit avoided (micro-USD per hit; the sum over a month is the money the cache saved).
  'CACHE_SAVINGS',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** Unit of each metric type; percentages are 0–100, not 0–1. */
export const METRIC_UNITS: Readonly<Record<MetricType, string>> = {
  LATENCY: 'ms',
  THROUGHPUT: 'req/s',
  ERROR_RATE: '%',
  CPU_USAGE: '%',
  MEMORY_USAGE: '%',
  AGENT_PERFORMANCE: 'score',
  API_CALLS: 'count',
  CACHE_HIT_RATE: '%',
  CACHE_SAVINGS: 'micro-USD',
};

export const SECURITY_EVENT_KINDS = [
  'AUTHENTICATION_FAILURE',
  'AUTHORIZATION_FAILURE',
  'RATE_LIMIT_EXCEEDED',
  'INVALID_INPUT',
  'SUSPICIOUS_ACTIVITY',
  'API_KEY_ROTATION',
  'SECRET_ACCESS',
  'VULNERABILITY_DETECTED',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/** Severities shared by security events and alerts (Cloud Logging names). */
export const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Who a security event, ban or alert is about. */
export const SUBJECT_TYPES = ['ip', 'user'] as const;

/**
 * What a flag sets for agents: none, throttled (slow down) or blocked (stop) by a budget threshold;
 * paused (stop every call until the cool-down or an operator's reset) by the burn-rate breaker.
 */
export const THROTTLE_LEVELS = ['none', 'throttled', 'blocked', 'paused'] as const;
export type ThrottleLevel = (typeof THROTTLE_LEVELS)[number];

/** Severity of a budget alert, one per threshold of budget/thresholds.ts. */
export const BUDGET_ALERT_LEVELS = ['WARNING', 'CRITICAL', 'EXCEEDED'] as const;
export type BudgetAlertLevel = (typeof BUDGET_ALERT_LEVELS)[number];
