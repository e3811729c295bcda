import * as functions from '@google-cloud/functions-framework';
import { spendAggregator } from './spend-aggregator';

// Every function is registered here; functions-framework runs the one named by --target.
functions.http('spendAggregator', spendAggregator);
