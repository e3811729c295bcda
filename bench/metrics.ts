/**
 * bench/metrics — P2 (Firestore writes per 1,000 metric samples) and P5 (sketch percentile
 * error against exact values; stored bytes per bucket) on the local emulator stack, one run.
 * Agents record samples through the publisher (aggregated per series per interval), the
 * metric-aggregator merges them into minute and hour buckets.
 */
import { AggregateField, Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { pushPathFor } from '../shared/topology/topology';
import { relayPush } from './push-relay';
import { startStack } from '../bin/stack/stack';
import { metricStatistics } from '../shared/reports/metrics-query';
import { createPublisher } from '../shared/publisher/publisher';
import { COLLECTIONS } from '../shared/basics/collections';
import { bucketSizes } from '../shared/store/metric-buckets';
import { fixed, percentile, table } from './bench-support';

const PROJECT = 'demo-bench-metrics';
const AGENTS = Number(process.env.BENCH_AGENTS ?? 20);
const OPERATIONS = ['generate', 'summarize', 'classify'];
const INTERVALS = Number(process.env.BENCH_INTERVALS ?? 5);
const SAMPLES_PER_SERIES_INTERVAL = Number(process.env.BENCH_SAMPLES ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

/** Deterministic log-normal latencies with a per-operation scale. */
function generator(seed: number): (scale: number) => number {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);
  return (scale) => {
    const z = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    return scale * Math.exp(0.7 * z);
  };
}

type Delivery = 'emulator-push' | 'relay';

interface RunResult {
  delivery: Delivery;
  samples: number;
  events: number;
  minuteWrites: number;
  hourWrites: number;
  worstError: number;
  rows: string[][];
}

/** Bucket writes so far, by resolution (each bucket document counts its own writes). */
async function bucketWrites(db: Firestore, resolution: 'minute' | 'hour'): Promise<{ writes: number; events: number }> {
  const s = await db.collection(COLLECTIONS.metricBuckets).where('resolution', '==', resolution).aggregate({ writes: AggregateField.sum('writes'), events: AggregateField.sum('events') }).get();
  return { writes: s.data().writes ?? 0, events: s.data().events ?? 0 };
}

async function run(db: Firestore, pubsub: PubSub, aggregatorUrl: string, delivery: Delivery): Promise<RunResult> {
  const topic = delivery === 'relay' ? `bench-metrics-relay-${Date.now()}` : undefined;
  if (topic) await pubsub.createTopic(topic).then(([t]) => t.createSubscription(`${topic}-sub`));
  const tag = delivery === 'relay' ? 'r' : 'p';
  const before = { minute: await bucketWrites(db, 'minute'), hour: await bucketWrites(db, 'hour') };
  const exact = new Map<string, number[]>(OPERATIONS.map((op) => [op, []]));
  const publishers = Array.from({ length: AGENTS }, (_, i) =>
    createPublisher({ projectId: PROJECT, source: `agent-${i}`, exitHook: false, ...(topic ? { topics: { metric: topic } } : {}) }),
  );
  const next = generator(11);
  let samples = 0;
  for (let interval = 0; interval < INTERVALS; interval++) {
    for (const publisher of publishers) {
      for (const [o, op] of OPERATIONS.entries()) {
        const operation = `${op}-${tag}`;
        for (let k = 0; k < SAMPLES_PER_SERIES_INTERVAL; k++) {
          const latency = next(80 * (o + 1));
          exact.get(op)!.push(latency);
          // What timed() records per call: latency, one call, an error sample.
          publisher.recordMetric({ metric: 'LATENCY', value: latency, labels: { operation } });
          publisher.recordMetric({ metric: 'API_CALLS', value: 1, labels: { operation } });
          publisher.recordMetric({ metric: 'ERROR_RATE', value: k % 50 === 0 ? 100 : 0, labels: { operation } });
          samples += 3;
        }
      }
      // One flush per agent per interval, as the 10 s timer does.
      publisher.flushMetrics();
    }
    await Promise.all(publishers.map((p) => p.flush()));
  }
  const events = (await Promise.all(publishers.map((p) => p.close()))).reduce((n, st) => n + st.published, 0);
  if (topic) await relayPush(pubsub, `${topic}-sub`, `${aggregatorUrl}${pushPathFor(PROJECT, topic)}`, CONCURRENCY, events, 600_000);
  const started = Date.now();
  while ((await bucketWrites(db, 'hour')).events - before.hour.events < events) {
    if (Date.now() - started > 600_000) throw new Error('timed out waiting for the aggregator');
    await new Promise((r) => setTimeout(r, 500));
  }
  const after = { minute: await bucketWrites(db, 'minute'), hour: await bucketWrites(db, 'hour') };

  const rows: string[][] = [];
  let worstError = 0;
  for (const op of OPERATIONS) {
    const values = exact.get(op)!;
    const stats = await metricStatistics(db, 'LATENCY', '1h', { operation: `${op}-${tag}` });
    for (const [q, got] of [[50, stats.median], [95, stats.p95], [99, stats.p99]] as const) {
      const truth = percentile(values, q);
      const error = Math.abs((got ?? Number.NaN) - truth) / truth;
      worstError = Math.max(worstError, error);
      rows.push([op, String(stats.count), `p${q}`, fixed(truth, 1), fixed(got ?? Number.NaN, 1), `${fixed(error * 100, 2)} %`]);
    }
  }
  return { delivery, samples, events, minuteWrites: after.minute.writes - before.minute.writes, hourWrites: after.hour.writes - before.hour.writes, worstError, rows };
}

async function main(): Promise<void> {
  const stack = await startStack({ projectId: PROJECT, functions: ['metric-aggregator'], functionEnv: { GOVERNOR_STATS_INTERVAL_MILLISECONDS: '0' } });
  Object.assign(process.env, stack.clientEnv);
  const db = new Firestore({ projectId: PROJECT });
  const pubsub = new PubSub({ projectId: PROJECT });
  try {
    process.stderr.write(`bench/metrics: ${AGENTS} agents × ${OPERATIONS.length} operations × ${INTERVALS} intervals × ${SAMPLES_PER_SERIES_INTERVAL} samples, twice…\n`);
    const results = [await run(db, pubsub, stack.functions[0]!.url, 'emulator-push'), await run(db, pubsub, stack.functions[0]!.url, 'relay')];
    const minuteSizes = await bucketSizes(db, 'minute');
    const hourSizes = await bucketSizes(db, 'hour');
    const lines: string[] = [`bench/metrics — local emulator stack, this run (${new Date().toISOString()})`, ''];
    for (const r of results) {
      const writes = r.minuteWrites + r.hourWrites;
      lines.push(
        `${r.delivery === 'relay' ? `concurrent push (relay, ${CONCURRENCY} in flight)` : 'emulator push (serial)'}: ${r.samples.toLocaleString('en')} samples → ${r.events} events → ${writes} writes (${r.minuteWrites} minute, ${r.hourWrites} hour buckets) = ${fixed((writes / r.samples) * 1000, 3)} writes per 1,000 samples`,
      );
    }
    lines.push('', table([['operation', 'samples', 'q', 'exact ms', 'sketch ms', 'rel. error'], ...results[1]!.rows]), '');
    const worst = Math.max(...results.map((r) => r.worstError));
    const best = Math.min(...results.map((r) => ((r.minuteWrites + r.hourWrites) / r.samples) * 1000));
    const maxBytes = Math.max(...minuteSizes, ...hourSizes);
    lines.push(
      `stored bytes per bucket document: minute max ${Math.max(...minuteSizes)} (mean ${fixed(minuteSizes.reduce((a, b) => a + b, 0) / minuteSizes.length, 0)}), hour max ${Math.max(...hourSizes)} (mean ${fixed(hourSizes.reduce((a, b) => a + b, 0) / hourSizes.length, 0)})`,
      '',
      `P2 ≤ 1 write per 1,000 samples: ${best <= 1 ? 'MET' : 'MISSED'} (best ${fixed(best, 3)})`,
      `P5 percentiles within 1 % of exact: ${worst <= 0.01 ? 'MET' : 'MISSED'} (worst ${fixed(worst * 100, 2)} %); ≤ 8 KB per bucket: ${maxBytes <= 8192 ? 'MET' : 'MISSED'} (max ${maxBytes})`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.allSettled([db.terminate(), pubsub.close()]);
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/metrics failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
