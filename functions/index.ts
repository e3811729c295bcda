import * as functions from '@google-cloud/functions-framework';
import { createAlertDigest } from './alert-digest';
import { createAlertNotifier } from './alert-notifier';
import { createBillingIngestor } from './billing-ingestor';
import { createBudgetEvaluator } from './budget-evaluator';
import { lazyFunction, type LazyFunction } from './common/lazy-function';
import { settings } from './common/settings';
import { createDashboard } from './dashboard';
import { createKeyRotator } from './key-rotator';
import { createMetricAggregator } from './metric-aggregator';
import { createMetricEvaluator } from './metric-evaluator';
import { createSecurityMonitor } from './security-monitor';
import { createSpendAggregator } from './spend-aggregator';

// The entry points, named as functions-framework's --target and infra's entry_point. Each builds
// its clients and timers on first use: importing this module builds none of them.
export const spendAggregator = lazyFunction(createSpendAggregator);
export const billingIngestor = lazyFunction(createBillingIngestor);
export const metricAggregator = lazyFunction(createMetricAggregator);
export const metricEvaluator = lazyFunction(createMetricEvaluator);
export const securityMonitor = lazyFunction(createSecurityMonitor);
export const keyRotator = lazyFunction(createKeyRotator);
export const alertNotifier = lazyFunction(createAlertNotifier);
export const alertDigest = lazyFunction(createAlertDigest);
export const budgetEvaluator = lazyFunction(createBudgetEvaluator);
export const dashboard = lazyFunction(createDashboard);

const ENTRY_POINTS: Record<string, LazyFunction> = { spendAggregator, billingIngestor, metricAggregator, metricEvaluator, securityMonitor, keyRotator, alertNotifier, alertDigest, budgetEvaluator, dashboard };

// Registered as HTTP functions whatever --signature-type says: Pub/Sub pushes them plain requests.
for (const [name, handler] of Object.entries(ENTRY_POINTS)) functions.http(name, handler);

// functions-framework serves one target per process, named in FUNCTION_TARGET (set by Cloud
// Functions and bin/stack; with --target alone the function builds on its first request). Building
// it while the framework loads this module makes a bad setting stop the start-up, as it always has.
const target = settings().functionTarget;
if (target !== undefined) ENTRY_POINTS[target]?.build();
