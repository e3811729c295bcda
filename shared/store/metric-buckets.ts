import { Timestamp, type Firestore } from '@google-cloud/firestore';
import type { MetricEvent } from '../contracts/metric-event';
import type { MetricType } from '../contracts/vocabulary';
import { bucketStartOf, emptyAggregate, fromStored, mergePayload, RESOLUTIONS, toStored, type Aggregate, type Resolution, type StoredAggregate } from '../metrics/bucket';
import { matchesLabels, seriesIdOf, seriesKeyOf, type Labels } from '../metrics/series';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';
import { containsHash, idHash } from './seen-ids';

export const METRIC_STORE_DEFAULTS = {
  // Events spread over 8 shards by a hash of their id: each bucket document stays near 1 write/s
  // while commits from many instances land on the same minute, and holds an eighth of its ids.
  shardCount: 8,
  // A transaction reads every bucket it writes; keep it well under 500 writes.
  maxEventsPerCommit: 200,
} as const;

export interface MetricCommitResult {
  recorded: string[];
  duplicates: string[];
  /** Bucket documents written by this commit. */
  bucketWrites: number;
}

function shardOf(hash: Buffer, shardCount: number): number {
  return hash.readUInt32BE(0) % shardCount;
}

function bucketRef(db: Firestore, resolution: Resolution, bucketStart: number, seriesKey: string, shard: number) {
  return db.collection(COLLECTIONS.metricBuckets).doc(`${resolution}_${bucketStart}_${seriesIdOf(seriesKey)}_${shard}`);
}

interface BucketGroup {
  resolution: Resolution;
  bucketStart: number;
  seriesKey: string;
  shard: number;
  metric: MetricType;
  labels: Labels;
  events: { event: MetricEvent; hash: Buffer }[];
}

/**
 * Merges a batch of metric events into their minute and hour buckets, exactly once, in one
 * transaction and without a document per event: an event's shard follows from a hash of its id,
 * and the minute bucket it lands in keeps the hashes of the ids it merged. A redelivered event
 * finds its hash there and is skipped — for the hour bucket too, which is written in the same
 * transaction. Sketches merge; count, sum, min and max are exact.
 */
export async function commitMetrics(
  db: Firestore,
  events: readonly MetricEvent[],
  options: { shardCount?: number } = {},
): Promise<MetricCommitResult> {
  const shardCount = options.shardCount ?? METRIC_STORE_DEFAULTS.shardCount;
  const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];

  // Group by the bucket documents the events land in (minute and hour, per shard).
  const groups = new Map<string, BucketGroup>();
  for (const event of unique) {
    const hash = idHash(event.eventId);
    const shard = shardOf(hash, shardCount);
    const seriesKey = seriesKeyOf(event.payload.metric, event.payload.labels);
    for (const resolution of Object.keys(RESOLUTIONS) as Resolution[]) {
      const bucketStart = bucketStartOf(Date.parse(event.payload.intervalStart), resolution);
      const id = `${resolution}|${bucketStart}|${seriesKey}|${shard}`;
      const group = groups.get(id) ?? { resolution, bucketStart, seriesKey, shard, metric: event.payload.metric, labels: event.payload.labels, events: [] };
      group.events.push({ event, hash });
      groups.set(id, group);
    }
  }
  const list = [...groups.values()];
  const refs = list.map((g) => bucketRef(db, g.resolution, g.bucketStart, g.seriesKey, g.shard));

  return db.runTransaction(async (tx) => {
    const snaps = await tx.getAll(...refs);
    // An event is new when its minute bucket has not seen its id.
    const seen = new Set<string>();
    list.forEach((g, i) => {
      if (g.resolution !== 'minute') return;
      const packed = (snaps[i]?.get('seenIds') as Buffer | undefined) ?? Buffer.alloc(0);
      for (const { event, hash } of g.events) if (containsHash(packed, hash)) seen.add(event.eventId);
    });
    let bucketWrites = 0;
    list.forEach((g, i) => {
      const fresh = g.events.filter(({ event }) => !seen.has(event.eventId));
      if (fresh.length === 0) return;
      const snap = snaps[i];
      const aggregate = snap?.exists ? fromStored(snap.data() as StoredAggregate) : emptyAggregate(g.metric, g.labels);
      for (const { event } of fresh) mergePayload(aggregate, event.payload);
      const seenIds = g.resolution === 'minute' ? { seenIds: Buffer.concat([(snap?.get('seenIds') as Buffer | undefined) ?? Buffer.alloc(0), ...fresh.map((f) => f.hash)]) } : {};
      tx.set(refs[i]!, {
        ...toStored(aggregate),
        ...seenIds,
        resolution: g.resolution,
        bucketStart: Timestamp.fromMillis(g.bucketStart),
        shard: g.shard,
        events: ((snap?.get('events') as number | undefined) ?? 0) + fresh.length,
        // Writes to this document so far: bench/metrics sums them (writes per 1,000 samples).
        writes: ((snap?.get('writes') as number | undefined) ?? 0) + 1,
        [TTL_FIELD]: Timestamp.fromMillis(g.bucketStart + RESOLUTIONS[g.resolution].retentionDays * 86_400_000),
      });
      bucketWrites += 1;
    });
    return { recorded: unique.filter((e) => !seen.has(e.eventId)).map((e) => e.eventId), duplicates: [...seen], bucketWrites };
  });
}

/** A stored aggregate with the start of its bucket. */
export type BucketAggregate = Aggregate & { bucketStart: number };

/** Windows up to this long read minute buckets; longer ones read hour buckets. */
export const MINUTE_RESOLUTION_MAX_MILLISECONDS = 3 * 3_600_000;

export function resolutionFor(windowMilliseconds: number): Resolution {
  return windowMilliseconds <= MINUTE_RESOLUTION_MAX_MILLISECONDS ? 'minute' : 'hour';
}

/**
 * The stored aggregates of a metric whose buckets start in [from, to), filtered by labels. Each
 * is one shard of one bucket; callers merge what they need (per series, per group, all).
 */
export async function readAggregates(db: Firestore, metric: MetricType, from: Date, to: Date, resolution: Resolution, filter: Labels = {}): Promise<BucketAggregate[]> {
  const snapshot = await db
    .collection(COLLECTIONS.metricBuckets)
    .where('metric', '==', metric)
    .where('resolution', '==', resolution)
    .where('bucketStart', '>=', Timestamp.fromMillis(bucketStartOf(from, resolution)))
    .where('bucketStart', '<', Timestamp.fromDate(to))
    .get();
  return snapshot.docs
    .map((d) => ({ ...fromStored(d.data() as StoredAggregate), bucketStart: (d.get('bucketStart') as Timestamp).toMillis() }))
    .filter((a) => matchesLabels(a.labels, filter));
}

/** Stored size of each bucket document's fields (the P5 measure), from a sample of buckets. */
export async function bucketSizes(db: Firestore, resolution: Resolution, limit = 200): Promise<number[]> {
  const snapshot = await db.collection(COLLECTIONS.metricBuckets).where('resolution', '==', resolution).limit(limit).get();
  return snapshot.docs.map((d) => {
    const data = d.data();
    return Object.entries(data).reduce((n, [k, v]) => n + k.length + 1 + sizeOf(v), d.ref.path.length + 1 + 16);
  });
}

/** Firestore's documented storage size of a value. */
function sizeOf(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 8;
  if (typeof value === 'string') return Buffer.byteLength(value) + 1;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.length;
  if (value instanceof Timestamp) return 8;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + sizeOf(v), 0);
  if (typeof value === 'object') return Object.entries(value).reduce((n, [k, v]) => n + k.length + 1 + sizeOf(v), 0);
  return 8;
}
