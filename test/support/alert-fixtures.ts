import { ulid } from 'ulid';
import { parseAlert } from '../../shared/contracts/alert';
import type { BudgetAlert } from '../../shared/contracts/budget-alert';
import type { PerformanceAlert } from '../../shared/contracts/performance-alert';
import type { SecurityAlert } from '../../shared/contracts/security-alert';
import type { RunawayAlert } from '../../shared/contracts/runaway-alert';

/** Valid alerts of each kind (checked by the real schema), each with a fresh id unless given. */
export function budgetAlert(overrides: Partial<BudgetAlert> = {}): BudgetAlert {
  return parseAlert({
    schemaVersion: 1,
    alertId: `budget_TOTAL_2026-11_0.8_${ulid()}`,
    kind: 'budget',
    severity: 'WARNING',
    category: 'TOTAL',
    period: '2026-11',
    raisedAt: '2026-11-26T10:00:00.000Z',
    throttle: 'none',
    costMicros: 8_500_000,
    budgetMicros: 10_000_000,
    budgetDisplayName: 'Governor TOTAL',
    alertThresholdExceeded: 0.8,
    costAmount: 8.5,
    costIntervalStart: '2026-11-01T00:00:00.000Z',
    budgetAmount: 10,
    budgetAmountType: 'SPECIFIED_AMOUNT',
    currencyCode: 'USD',
    ...overrides,
  }) as BudgetAlert;
}

export function performanceAlert(overrides: Partial<PerformanceAlert> = {}): PerformanceAlert {
  return parseAlert({
    schemaVersion: 1,
    alertId: `perf_${ulid()}`,
    kind: 'performance',
    status: 'RAISED',
    severity: 'WARNING',
    ruleId: 'latency-p95',
    metric: 'LATENCY',
    statistic: 'p95',
    comparator: 'above',
    limit: 2000,
    clearAt: 1800,
    value: 2450.5,
    group: { operation: 'generate' },
    window: '5m',
    since: '2026-11-26T09:55:00.000Z',
    at: '2026-11-26T10:00:00.000Z',
    ...overrides,
  }) as PerformanceAlert;
}

export function securityAlert(overrides: Partial<SecurityAlert> = {}): SecurityAlert {
  return parseAlert({
    schemaVersion: 1,
    alertId: `ban_${ulid()}`,
    kind: 'security',
    status: 'BANNED',
    severity: 'CRITICAL',
    subjectType: 'ip',
    subject: '203.0.113.7',
    level: 'ban',
    offense: 1,
    until: '2026-11-26T11:00:00.000Z',
    reason: '6 authentication failures in 10 min',
    at: '2026-11-26T10:00:00.000Z',
    ...overrides,
  }) as SecurityAlert;
}

/** A burn-rate breaker's trip of `agent:looper` on a loop (issue 23). */
export function runawayAlert(overrides: Partial<RunawayAlert> = {}): RunawayAlert {
  return parseAlert({
    schemaVersion: 1,
    alertId: `runaway_agent-all_agent%3Alooper_${ulid()}`,
    kind: 'runaway',
    severity: 'CRITICAL',
    shadow: false,
    ruleId: 'agent-all',
    scope: 'agent:looper',
    reason: 'loop',
    rateMicrosPerMinute: 2_400_000,
    baselineMicrosPerMinute: 100_000,
    baselineFrom: 'own',
    floorMicrosPerMinute: 1_000_000,
    multiple: 10,
    windowSeconds: 60,
    topModels: [{ model: 'gemini-2.5-pro', micros: 2_400_000, calls: 48 }],
    topPrompts: [{ model: 'gemini-2.5-pro', promptHash: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', calls: 48 }],
    since: '2026-11-26T10:25:00.000Z',
    until: '2026-11-26T10:40:00.000Z',
    at: '2026-11-26T10:25:00.000Z',
    ...overrides,
  }) as RunawayAlert;
}
