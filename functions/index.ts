import * as functions from '@google-cloud/functions-framework';
import { alertDigest } from './alert-digest';
import { alertNotifier } from './alert-notifier';
import { billingIngestor } from './billing-ingestor';
import { dashboard } from './dashboard';
import { metricAggregator } from './metric-aggregator';
import { metricEvaluator } from './metric-evaluator';
import { keyRotator } from './key-rotator';
import { securityMonitor } from './security-monitor';
import { spendAggregator } from './spend-aggregator';

// Every function is registered here; functions-framework runs the one named by --target.
functions.http('spendAggregator', spendAggregator);
functions.http('billingIngestor', billingIngestor);
functions.http('metricAggregator', metricAggregator);
functions.http('metricEvaluator', metricEvaluator);
functions.http('securityMonitor', securityMonitor);
functions.http('keyRotator', keyRotator);
functions.http('alertNotifier', alertNotifier);
functions.http('alertDigest', alertDigest);
functions.http('dashboard', dashboard);
