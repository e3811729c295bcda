/**
 * bench/genai — P9: what `governGenAI` adds to a Gemini call when its hard-budget lease covers it
 * and its throttle answer is in memory. The model call itself is a stub that resolves at once with
 * a fixed response (its usage included), so the run measures the wrapper, not the network: the
 * same stub called bare is the baseline, timed in the same run, alternating phases.
 */
import { Firestore } from '@google-cloud/firestore';
import { startEmulator } from '../bin/stack/emulators';
import { freePort } from '../bin/stack/ports';
import { provisionTopics } from '../bin/stack/provision';
import { withBudget } from '../shared/budget/budget-config';
import { governGenAI } from '../shared/genai/govern-genai';
import { loadGenAi, type GenerateContentParameters, type GenerateContentResponse, type GoogleGenAI } from '../shared/genai/genai-types';
import { createSpendGuard } from '../shared/leasing/spend-guard';
import { createPublisher, type GovernorPublisher } from '../shared/publisher/publisher';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { loadTopology } from '../shared/topology/topology';
import { fixed, microsSince, percentile, table } from './bench-support';

const CALLS = Number(process.env.BENCH_GENAI_CALLS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_GENAI_ROUNDS ?? 3);
const WARMUP = 5_000;
// Yield every 1,000 calls and wait while the publisher's buffer is full, as bench/spend-guard-cost does.
const BURST = 1_000;
const MAX_BUFFERED = 2_000;
const USAGE = { inputTokens: 1_000, outputTokens: 120, cachedInputTokens: 512 };
const PARAMS: GenerateContentParameters = { model: 'gemini-2.5-flash', contents: 'Summarise the quarterly report in three sentences.', config: { maxOutputTokens: 300, thinkingConfig: { thinkingBudget: 0 } } };

function stubbedClient(): { ai: GoogleGenAI; bare: (p: GenerateContentParameters) => Promise<GenerateContentResponse> } {
  const genai = loadGenAi();
  const ai = new genai.GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: 'http://127.0.0.1:9' } });
  const response = Object.assign(new genai.GenerateContentResponse(), {
    candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 1_000, candidatesTokenCount: 120, cachedContentTokenCount: 512 },
  });
  const bare = async (_params: GenerateContentParameters) => response as GenerateContentResponse;
  // The client's methods are own properties: the stub replaces the network call and nothing else.
  Object.defineProperty(ai.models, 'generateContent', { value: bare });
  return { ai, bare };
}

async function pace(i: number, publisher: GovernorPublisher): Promise<void> {
  if (i % BURST !== BURST - 1) return;
  await new Promise((r) => setImmediate(r));
  while (publisher.stats().buffered > MAX_BUFFERED) await new Promise((r) => setTimeout(r, 1));
}

async function phase(call: (p: GenerateContentParameters) => Promise<unknown>, publisher: GovernorPublisher, skip: () => boolean = () => false): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const t = process.hrtime.bigint();
    await call(PARAMS);
    const micros = microsSince(t);
    if (i >= WARMUP && !skip()) samples.push(micros);
    await pace(i, publisher);
  }
  return samples;
}

async function main(): Promise<void> {
  process.stderr.write('bench/genai: measuring…\n');
  const [pubsub, firestore] = await Promise.all([startEmulator('pubsub', { port: await freePort() }), startEmulator('firestore', { port: await freePort() })]);
  process.env.METADATA_SERVER_DETECTION = 'none';
  Object.assign(process.env, { PUBSUB_EMULATOR_HOST: pubsub.hostPort, FIRESTORE_EMULATOR_HOST: firestore.hostPort });
  const projectId = 'demo-bench-genai';
  const rows: string[][] = [];
  try {
    await provisionTopics({ projectId, pubsubHost: pubsub.hostPort, topology: loadTopology({}) });
    const db = new Firestore({ projectId });
    await updateBudgetConfig(db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', 1_000_000_000_000), budgetMode: { AI_API_CALLS: 'hard' as const } }));
    const publisher = createPublisher({ projectId, source: 'bench-genai', exitHook: false });
    const throttle = await createThrottleReader({ projectId, firestore: db, onStateChange: (s) => process.stderr.write(`  throttle reader: ${s}\n`) }).ready();
    const guard = await createSpendGuard({ publisher, firestore: db, agent: 'bench-genai', exitHook: false }).ready();
    const { ai, bare } = stubbedClient();
    const governed = governGenAI(ai, { publisher, throttle, spendGuard: guard });
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const baseline = await phase(bare, publisher);
        let trips = guard.stats().withRoundTrip;
        // A call that waited for a lease change is not "covered": left out, and counted.
        const tripped = () => {
          const now = guard.stats().withRoundTrip;
          const changed = now !== trips;
          trips = now;
          return changed;
        };
        const before = guard.stats().withRoundTrip;
        const wrapped = await phase((p) => governed.models.generateContent(p), publisher, tripped);
        const wrappedTrips = guard.stats().withRoundTrip - before;
        // The spend guard's own share, the same way bench/spend-guard-cost measures it: reserve + settle, no wrapper.
        trips = guard.stats().withRoundTrip;
        const guardAlone = await phase(async () => (await guard.reserve({ model: 'gemini-2.5-flash', inputChars: 50, maxOutputTokens: 300 })).settle(USAGE), publisher, tripped);
        const added = (p: number) => percentile(wrapped, p) - percentile(baseline, p);
        rows.push([String(round), `${fixed(percentile(baseline, 50), 2)} / ${fixed(percentile(baseline, 99), 2)}`, `${fixed(percentile(wrapped, 50), 2)} / ${fixed(percentile(wrapped, 99), 2)}`, `${fixed(added(50), 2)} / ${fixed(added(99), 2)}`, `${fixed(percentile(guardAlone, 50), 2)} / ${fixed(percentile(guardAlone, 99), 2)}`, String(wrappedTrips)]);
      }
    } finally {
      await guard.close();
      await throttle.close();
      await publisher.close();
      await db.terminate();
    }
  } finally {
    await Promise.allSettled([pubsub.stop(), firestore.stop()]);
  }
  process.stdout.write(
    [
      `bench/genai — P9, this run (${new Date().toISOString()}): ${CALLS} calls per phase after ${WARMUP} warm-up, a stub model call (resolves at once), governed = live throttle reader + hard-budget spend guard (covered lease) + publisher`,
      '',
      table([['round', 'bare call µs p50 / p99', 'governed p50 / p99', 'added p50 / p99 (target p99 ≤ 50)', 'spend guard alone p50 / p99', 'lease round trips (left out)'], ...rows]),
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
