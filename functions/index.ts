import * as functions from '@google-cloud/functions-framework';
import { billingIngestor } from './billing-ingestor';
import { spendAggregator } from './spend-aggregator';

// Every function is registered here; functions-framework runs the one named by --target.
functions.http('spendAggregator', spendAggregator);
functions.http('billingIngestor', billingIngestor);
