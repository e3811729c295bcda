import type { Firestore } from '@google-cloud/firestore';
import { MetricServiceClient } from '@google-cloud/monitoring';
import { METRIC_TYPES } from '../../shared/contracts/vocabulary';
import type { Logger } from '../../shared/logging/logger';
import { emptyAggregate, mergeAggregates, RESOLUTIONS, type Aggregate } from '../../shared/metrics/bucket';
import { exportRequests, metricDescriptors, MONITORING_LIMITS, type ExportableAggregate } from '../../shared/metrics/monitoring-export';
import { seriesKeyOf } from '../../shared/metrics/series';
import { COLLECTIONS, CONFIG_DOCS } from '../../shared/basics/collections';
import { readAggregates } from '../../shared/store/metric-buckets';
import { localEndpointOptions } from '../../shared/clients/local-endpoint';

const MINUTE = RESOLUTIONS.minute.milliseconds;

export const EXPORT_DEFAULTS = {
  // A minute is exported once it is 90 s old: agents flush every 10 s and events take seconds.
  settleMilliseconds: 90_000,
  // One exporter at a time; a crashed one's claim lapses after this.
  leaseMilliseconds: 55_000,
  // Where a first run starts: the last ten minutes.
  firstRunLookbackMilliseconds: 10 * MINUTE,
  requestTimeoutMilliseconds: 20_000,
} as const;

export interface ExportResult {
  minutes: number;
  series: number;
  requests: number;
  skippedMinutes: number;
}

/** The Cloud Monitoring client; `endpoint` (GOVERNOR_MONITORING_ENDPOINT, host:port, plaintext) points it at a local server. */
export function monitoringClient(projectId: string, endpoint: string | undefined): MetricServiceClient {
  if (!endpoint) return new MetricServiceClient({ projectId });
  return new MetricServiceClient({ ...localEndpointOptions(endpoint), projectId });
}

/**
 * Exports settled minute buckets to Cloud Monitoring: merges a minute's shards per series, writes
 * at most 200 series per request and one point per series per request, and advances a cursor in
 * Firestore minute by minute. A failure stops the run where it is; the next tick retries from the
 * cursor, so aggregation never waits on Cloud Monitoring.
 */
export class MonitoringExporter {
  private descriptorsReady = false;

  constructor(
    private readonly deps: { db: Firestore; client: MetricServiceClient; projectId: string; log: Logger; now: () => Date },
  ) {}

  async exportSettled(): Promise<ExportResult> {
    const { db, log } = this.deps;
    const now = this.deps.now().getTime();
    const until = Math.floor((now - EXPORT_DEFAULTS.settleMilliseconds) / MINUTE) * MINUTE;
    const cursorRef = db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.metricExportCursor);
    const claimed = await db.runTransaction(async (tx) => {
      const cursor = (await tx.get(cursorRef)).data() as { exportedThrough?: number; leaseUntil?: number } | undefined;
      if ((cursor?.leaseUntil ?? 0) > now) return undefined;
      tx.set(cursorRef, { exportedThrough: cursor?.exportedThrough ?? until - EXPORT_DEFAULTS.firstRunLookbackMilliseconds, leaseUntil: now + EXPORT_DEFAULTS.leaseMilliseconds });
      return cursor?.exportedThrough ?? until - EXPORT_DEFAULTS.firstRunLookbackMilliseconds;
    });
    const result: ExportResult = { minutes: 0, series: 0, requests: 0, skippedMinutes: 0 };
    if (claimed === undefined) return result;

    let from = claimed;
    const oldest = now - MONITORING_LIMITS.maxPointAgeHours * 3_600_000 + 30 * MINUTE;
    if (from < oldest) {
      result.skippedMinutes = Math.floor((oldest - from) / MINUTE);
      log.warn({ skippedMinutes: result.skippedMinutes }, 'metrics older than Cloud Monitoring accepts were not exported');
      from = Math.ceil(oldest / MINUTE) * MINUTE;
    }
    try {
      await this.ensureDescriptors();
      for (let minute = from; minute < until; minute += MINUTE) {
        const items = await this.minute(minute);
        for (const timeSeries of exportRequests(this.deps.projectId, items)) {
          await this.deps.client.createTimeSeries({ name: `projects/${this.deps.projectId}`, timeSeries }, { timeout: EXPORT_DEFAULTS.requestTimeoutMilliseconds });
          result.requests += 1;
        }
        result.minutes += 1;
        result.series += items.length;
        await cursorRef.set({ exportedThrough: minute + MINUTE, leaseUntil: now + EXPORT_DEFAULTS.leaseMilliseconds });
      }
    } catch (error) {
      log.error({ err: error, result }, 'export to Cloud Monitoring failed; the next tick resumes from the last exported minute');
    } finally {
      await cursorRef.update({ leaseUntil: 0 });
    }
    return result;
  }

  /** A minute's buckets of every metric, shards merged per series. */
  private async minute(start: number): Promise<ExportableAggregate[]> {
    const perMetric = await Promise.all(METRIC_TYPES.map((m) => readAggregates(this.deps.db, m, new Date(start), new Date(start + MINUTE), 'minute')));
    const bySeries = new Map<string, Aggregate>();
    for (const a of perMetric.flat()) {
      const key = seriesKeyOf(a.metric, a.labels);
      const into = bySeries.get(key) ?? emptyAggregate(a.metric, a.labels);
      mergeAggregates(into, a);
      bySeries.set(key, into);
    }
    return [...bySeries.values()].map((aggregate) => ({ aggregate, bucketStart: start, bucketEnd: start + MINUTE }));
  }

  private async ensureDescriptors(): Promise<void> {
    if (this.descriptorsReady) return;
    for (const metricDescriptor of metricDescriptors(this.deps.projectId)) {
      await this.deps.client.createMetricDescriptor({ name: `projects/${this.deps.projectId}`, metricDescriptor }, { timeout: EXPORT_DEFAULTS.requestTimeoutMilliseconds });
    }
    this.descriptorsReady = true;
  }
}
