import type { protos } from '@google-cloud/monitoring';
import type { MetricType } from '../contracts/vocabulary';
import { METRIC_UNITS } from '../contracts/vocabulary';
import type { Aggregate } from './bucket';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;
type MetricDescriptor = protos.google.api.IMetricDescriptor;

/** Cloud Monitoring limits on `CreateTimeSeries`. */
export const MONITORING_LIMITS = {
  maxTimeSeriesPerRequest: 200,
  /** Points of one series must be at least this far apart (Governor writes one a minute). */
  minSecondsBetweenPoints: 5,
  /** Points older than this are refused by the API. */
  maxPointAgeHours: 25,
} as const;

/** Labels a Governor metric descriptor declares; other labels are not exported (`timeSeriesOf` names them). */
export const EXPORTED_LABELS = ['operation', 'agent', 'model', 'scope', 'cache', 'tier', 'endpoint'] as const;

/**
 * Exponential buckets for latency distributions: 1 ms × 1.25^i, 64 finite buckets (up to ~27
 * min); DDSketch bins are folded into them on export.
 */
export const LATENCY_BUCKETS = { numFiniteBuckets: 64, growthFactor: 1.25, scale: 1 } as const;

interface ExportShape {
  kind: 'GAUGE' | 'CUMULATIVE';
  valueType: 'DOUBLE' | 'INT64' | 'DISTRIBUTION';
  description: string;
}

/**
 * How each metric type is exported. Custom metrics cannot be DELTA, so per-minute counts and
 * distributions are CUMULATIVE points whose interval is the minute (each point a reset); the
 * gauges export the minute's mean.
 */
export const EXPORT_SHAPES: Readonly<Record<MetricType, ExportShape>> = {
  LATENCY: { kind: 'CUMULATIVE', valueType: 'DISTRIBUTION', description: 'Operation latency per minute' },
  API_CALLS: { kind: 'CUMULATIVE', valueType: 'INT64', description: 'Calls per minute' },
  THROUGHPUT: { kind: 'GAUGE', valueType: 'DOUBLE', description: 'Requests per second, mean over the minute' },
  ERROR_RATE: { kind: 'GAUGE', valueType: 'DOUBLE', description: 'Error percentage over the minute' },
  CPU_USAGE: { kind: 'GAUGE', valueType: 'DOUBLE', description: 'CPU percentage, mean over the minute' },
  MEMORY_USAGE: { kind: 'GAUGE', valueType: 'DOUBLE', description: 'Memory percentage, mean over the minute' },
  AGENT_PERFORMANCE: { kind: 'GAUGE', valueType: 'DOUBLE', description: 'Agent performance score, mean over the minute' },
  CACHE_HIT_RATE: { kind: 'GAUGE', valueType: 'DOUBLE', description: 'Cache hit percentage over the minute' },
  CACHE_SAVINGS: { kind: 'CUMULATIVE', valueType: 'INT64', description: 'Cost avoided by cache hits per minute (micro-USD)' },
};

export function metricTypeName(metric: MetricType): string {
  return `custom.googleapis.com/governor/${metric.toLowerCase()}`;
}

const UCUM_UNITS: Readonly<Record<string, string>> = { ms: 'ms', 'req/s': '1/s', '%': '%', count: '1', score: '1' };

export function metricDescriptors(projectId: string): MetricDescriptor[] {
  return (Object.keys(EXPORT_SHAPES) as MetricType[]).map((metric) => ({
    name: `projects/${projectId}/metricDescriptors/${metricTypeName(metric)}`,
    type: metricTypeName(metric),
    metricKind: EXPORT_SHAPES[metric].kind,
    valueType: EXPORT_SHAPES[metric].valueType,
    unit: UCUM_UNITS[METRIC_UNITS[metric]] ?? '1',
    description: `Governor: ${EXPORT_SHAPES[metric].description}`,
    displayName: `Governor ${metric.toLowerCase().replace(/_/g, ' ')}`,
    labels: EXPORTED_LABELS.map((key) => ({ key, valueType: 'STRING', description: `Governor label ${key}` })),
  }));
}

/** Folds a DDSketch into the export buckets (underflow, finite, overflow). */
export function latencyBucketCounts(aggregate: Aggregate): number[] {
  const { numFiniteBuckets, growthFactor, scale } = LATENCY_BUCKETS;
  const counts = new Array<number>(numFiniteBuckets + 2).fill(0);
  const sketch = aggregate.sketch as unknown as { store: { bins: number[]; offset: number }; zeroCount: number; mapping: { value(key: number): number } };
  counts[0] = (counts[0] ?? 0) + sketch.zeroCount;
  sketch.store.bins.forEach((count, i) => {
    if (!count) return;
    const value = sketch.mapping.value(i + sketch.store.offset);
    const bucket = value < scale ? 0 : Math.min(numFiniteBuckets + 1, Math.floor(Math.log(value / scale) / Math.log(growthFactor)) + 1);
    counts[bucket] = (counts[bucket] ?? 0) + count;
  });
  return counts.map((c) => Math.round(c));
}

const timestamp = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

export interface ExportableAggregate {
  aggregate: Aggregate;
  bucketStart: number;
  bucketEnd: number;
}

/** One time series with one point for a series' minute. */
export function timeSeriesOf(projectId: string, item: ExportableAggregate): { series: TimeSeries; droppedLabels: string[] } {
  const { aggregate: a, bucketStart, bucketEnd } = item;
  const shape = EXPORT_SHAPES[a.metric];
  const labels = Object.fromEntries(Object.entries(a.labels).filter(([k]) => (EXPORTED_LABELS as readonly string[]).includes(k)));
  const droppedLabels = Object.keys(a.labels).filter((k) => !(k in labels));
  const interval = shape.kind === 'CUMULATIVE' ? { startTime: timestamp(bucketStart), endTime: timestamp(bucketEnd) } : { endTime: timestamp(bucketEnd) };
  let value: protos.google.monitoring.v3.ITypedValue;
  if (shape.valueType === 'DISTRIBUTION') {
    const mean = a.sum / a.count;
    value = {
      distributionValue: {
        count: a.count,
        mean,
        // Unknown from the sketch; Cloud Monitoring accepts 0 (it is only used for the variance).
        sumOfSquaredDeviation: 0,
        bucketOptions: { exponentialBuckets: { ...LATENCY_BUCKETS } },
        bucketCounts: latencyBucketCounts(a),
      },
    };
  } else if (shape.valueType === 'INT64') {
    value = { int64Value: Math.round(a.sum) };
  } else {
    value = { doubleValue: a.sum / a.count };
  }
  return {
    series: {
      metric: { type: metricTypeName(a.metric), labels },
      resource: { type: 'global', labels: { project_id: projectId } },
      metricKind: shape.kind,
      valueType: shape.valueType,
      points: [{ interval, value }],
    },
    droppedLabels,
  };
}

/**
 * Splits series into CreateTimeSeries requests: at most 200 each, and a series at most once per
 * request (one point per series per request).
 */
export function exportRequests(projectId: string, items: readonly ExportableAggregate[]): TimeSeries[][] {
  const requests: TimeSeries[][] = [];
  const keysPerRequest: Set<string>[] = [];
  for (const item of [...items].sort((x, y) => x.bucketStart - y.bucketStart)) {
    const { series } = timeSeriesOf(projectId, item);
    const key = JSON.stringify([series.metric?.type, series.metric?.labels]);
    let i = requests.findIndex((r, n) => r.length < MONITORING_LIMITS.maxTimeSeriesPerRequest && !keysPerRequest[n]!.has(key));
    if (i < 0) {
      requests.push([]);
      keysPerRequest.push(new Set());
      i = requests.length - 1;
    }
    requests[i]!.push(series);
    keysPerRequest[i]!.add(key);
  }
  return requests;
}
