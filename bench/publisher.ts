/**
 * bench/publisher — P4: the cost of `emit()` on an agent's hot path, against awaiting
 * `topic.publishMessage()` directly, both measured in this run on a local Pub/Sub emulator.
 */
import { PubSub } from '@google-cloud/pubsub';
import { startEmulator } from '../bin/stack/emulators';
import { freePort } from '../bin/stack/ports';
import { createPublisher } from '../shared/publisher/publisher';
import { fixed, microsSince, percentile, table } from './bench-support';

const PROJECT = 'demo-bench-publisher';
const TOPIC = 'governor-cost-events';
const EMIT_CALLS = Number(process.env.BENCH_EMIT_CALLS ?? 50_000);
const DIRECT_CALLS = Number(process.env.BENCH_DIRECT_CALLS ?? 2_000);
const WARMUP_CALLS = 10_000;
// The agent yields to the event loop every BURST emits, and waits while the buffer is half full,
// so the run measures emit() itself rather than the drop path of an overloaded emulator.
const BURST = 1000;
const BACKPRESSURE_BUFFERED = 5000;

async function main(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const emulator = await startEmulator('pubsub', { port: await freePort() });
  try {
    const pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.hostPort, emulatorMode: true });
    const [topic] = await pubsub.createTopic(TOPIC);
    await topic.createSubscription('sink');

    // Governor's publisher: time each emit() call; pause between bursts as a busy agent would.
    const publisher = createPublisher({ projectId: PROJECT, emulatorHost: emulator.hostPort, source: 'bench-agent', exitHook: false });
    const emitMicros: number[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < WARMUP_CALLS + EMIT_CALLS; i++) {
      const t = process.hrtime.bigint();
      publisher.recordCost({ category: 'AI_API_CALLS', amountMicros: 1000 + (i % 97), service: 'vertex-ai' });
      // The first calls run before V8 has optimised the path: timed, but not counted.
      if (i >= WARMUP_CALLS) emitMicros.push(microsSince(t));
      if (i % BURST === BURST - 1) {
        await new Promise((r) => setImmediate(r));
        while (publisher.stats().buffered > BACKPRESSURE_BUFFERED) await new Promise((r) => setTimeout(r, 1));
      }
    }
    const stats = await publisher.close();
    const emitWallSeconds = microsSince(started) / 1e6;

    // Baseline: what an agent pays awaiting each publish itself.
    const direct = pubsub.topic(TOPIC, { batching: { maxMessages: 1, maxMilliseconds: 0 } });
    const directMicros: number[] = [];
    const body = Buffer.from(JSON.stringify({ category: 'AI_API_CALLS', amountMicros: 1000 }));
    for (let i = 0; i < DIRECT_CALLS; i++) {
      const t = process.hrtime.bigint();
      await direct.publishMessage({ data: body });
      directMicros.push(microsSince(t));
    }
    await pubsub.close();

    const emitP99 = percentile(emitMicros, 99);
    const directP99 = percentile(directMicros, 99);
    process.stdout.write(
      [
        `bench/publisher — ${EMIT_CALLS} emit() calls (after ${WARMUP_CALLS} warm-up) vs ${DIRECT_CALLS} awaited publishMessage() calls (Pub/Sub emulator, this run)`,
        '',
        table([
          ['path', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs'],
          ['emit() (validate + serialize + buffer)', fixed(percentile(emitMicros, 50), 2), fixed(emitP99, 2), fixed(percentile(emitMicros, 99.9), 0), fixed(Math.max(...emitMicros), 0)],
          ['await topic.publishMessage()', fixed(percentile(directMicros, 50), 0), fixed(directP99, 0), fixed(percentile(directMicros, 99.9), 0), fixed(Math.max(...directMicros), 0)],
        ]),
        '',
        `p99 ratio (direct / emit): ${fixed(directP99 / emitP99, 0)}×`,
        `publisher end to end: ${stats.published} published, ${stats.dropped} dropped, ${stats.failed} failed in ${fixed(emitWallSeconds, 2)} s (${fixed(stats.published / emitWallSeconds, 0)} events/s)`,
        `P4 (emit p99 ≤ 20 µs): ${emitP99 <= 20 ? 'MET' : 'MISSED'} (${fixed(emitP99, 2)} µs)`,
      ].join('\n') + '\n',
    );
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/publisher failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
