/**
 * bench/spend — P1–P3 on the local emulator stack, all measured in this run:
 * (a) throughput of the spend pipeline, (b) of a naive aggregator (one transaction per event on one
 * budget document) and of a consumer that does nothing, over the same events, in two delivery
 * modes: the emulator's own push (one request at a time per subscription) and a relay pushing with
 * production-like concurrency; Firestore writes per event; throttle propagation delay.
 */
import { join } from 'node:path';
import { AggregateField } from '@google-cloud/firestore';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { startFunction, type FunctionProcess } from '../bin/stack/functions-runner';
import { freePort } from '../bin/stack/ports';
import { repoRoot } from '../bin/stack/repo-root';
import { startStack } from '../bin/stack/stack';
import { withBudget } from '../shared/budget/budget-config';
import { periodOf } from '../shared/basics/period';
import { COST_CATEGORIES } from '../shared/contracts/vocabulary';
import { createPublisher } from '../shared/publisher/publisher';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { COLLECTIONS } from '../shared/basics/collections';
import { readSpendTotals } from '../shared/store/spend-shards';
import { pushPathFor } from '../shared/topology/topology';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { fixed, percentile, table } from './bench-support';
import { NAIVE_BUDGET_DOC } from './bench-functions';
import { relayPush } from './push-relay';
import { measureSpendLatencies } from './spend-latency';
import { SpendStats } from './spend-stats';

const PROJECT = 'demo-bench-spend';
const PUSH_EVENTS = Number(process.env.BENCH_PUSH_EVENTS ?? 600);
const RELAY_EVENTS = Number(process.env.BENCH_RELAY_EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const TRIALS = Number(process.env.BENCH_THROTTLE_TRIALS ?? 30);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 100);
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 1000);
// The naive aggregator may not finish under contention: its rate is measured over this window.
const MEASURE_WINDOW_MILLISECONDS = Number(process.env.BENCH_WINDOW_MS ?? 60_000);

type Consumer = 'spend' | 'naive' | 'noop';
type Mode = 'emulator-push' | 'relay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, timeoutMilliseconds: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  // The scenario whose function stats are being collected (the spend function's throughput lines).
  let collecting: SpendStats | undefined;
  const stack = await startStack({
    projectId: PROJECT,
    functions: ['spend-aggregator'],
    // BENCH_FUNCTION_NODE_ARGS profiles the function, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    nodeArgs: process.env.BENCH_FUNCTION_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
    // Stats lines every 500 ms: the reads, commits and gate decisions of each scenario (the
    // 2 s pause after a scenario lets its last interval arrive).
    functionEnv: { GOVERNOR_STATS_INTERVAL_MILLISECONDS: process.env.BENCH_STATS_INTERVAL_MS ?? '500' },
    onLine: (source, line) => {
      if (line.includes('"severity":"ERROR"')) lines.push(`[${source}] ${line}`);
      if (source === 'spend-aggregator') collecting?.addLine(line);
      if (process.env.BENCH_VERBOSE && line.includes('"message":"throughput"')) process.stderr.write(`  [${source}] ${line}\n`);
    },
  });
  Object.assign(process.env, stack.clientEnv);
  const benchSource = join(repoRoot(), 'dist/bench/bench-functions.js');
  const baseline = async (name: string, target: string): Promise<FunctionProcess> =>
    startFunction({
      spec: { name, target, subscription: stack.topology.functions[0]!.subscription },
      port: await freePort(),
      source: benchSource,
      env: { ...process.env, ...stack.clientEnv },
    });
  const [noop, naive] = await Promise.all([baseline('bench-noop', 'noopConsumer'), baseline('bench-naive', 'naiveSpend')]);
  const urls: Record<Consumer, string> = { spend: stack.functions[0]!.url, naive: naive.url, noop: noop.url };
  const db = new Firestore({ projectId: PROJECT });
  const pubsub = new PubSub({ projectId: PROJECT });
  const period = periodOf(new Date()).id;

  const processed: Record<Consumer, () => Promise<number>> = {
    spend: async () => {
      const s = await db.collection(COLLECTIONS.spendShards).where('period', '==', period).aggregate({ events: AggregateField.sum('events') }).get();
      return s.data().events ?? 0;
    },
    naive: async () => ((await db.doc(NAIVE_BUDGET_DOC).get()).get('events') as number | undefined) ?? 0,
    noop: async () => ((await (await fetch(`${noop.url}/`)).json()) as { received: number }).received,
  };
  const totalOf: Partial<Record<Consumer, () => Promise<number>>> = {
    spend: async () => (await readSpendTotals(db, period, ['TOTAL'])).TOTAL ?? 0,
    naive: async () => ((await db.doc(NAIVE_BUDGET_DOC).get()).get('totalMicros') as number | undefined) ?? 0,
  };
  const commits = async () => {
    const s = await db.collection(COLLECTIONS.spendShards).where('period', '==', period).aggregate({ commits: AggregateField.sum('commits') }).get();
    return s.data().commits ?? 0;
  };

  const results: { consumer: Consumer; mode: Mode; events: number; done: number; seconds: number; perSecond: number; exact: string; stats?: SpendStats }[] = [];
  let writesPerEvent = Number.NaN;
  let run = 0;

  async function measure(consumer: Consumer, mode: Mode, events: number, warmUp = false): Promise<void> {
    const topicName = `bench-${consumer}-${mode}-${run++}`;
    const [topic] = await pubsub.createTopic(topicName);
    const subscriptionName = `${topicName}-sub`;
    await topic.createSubscription(subscriptionName, mode === 'emulator-push' ? { pushConfig: { pushEndpoint: `${urls[consumer]}${pushPathFor(PROJECT, topicName)}` } } : {});
    const before = await processed[consumer]();
    const totalBefore = (await totalOf[consumer]?.()) ?? 0;
    const commitsBefore = consumer === 'spend' ? await commits() : 0;
    const publisher = createPublisher({ projectId: PROJECT, topics: { cost: topicName }, source: 'bench', exitHook: false });
    const stats = consumer === 'spend' ? new SpendStats() : undefined;
    collecting = stats;
    let expectedMicros = 0;
    const started = Date.now();
    const relay = mode === 'relay' ? relayPush(pubsub, subscriptionName, `${urls[consumer]}${pushPathFor(PROJECT, topicName)}`, CONCURRENCY, events, MEASURE_WINDOW_MILLISECONDS) : undefined;
    for (let i = 0; i < events; i++) {
      const amountMicros = 1000 + (i % 97);
      expectedMicros += amountMicros;
      publisher.recordCost({ category: COST_CATEGORIES[i % COST_CATEGORIES.length]!, amountMicros });
    }
    await publisher.close();
    const finished = await Promise.all([
      relay?.then(() => true, () => false) ?? true,
      until(async () => (await processed[consumer]()) >= before + events, MEASURE_WINDOW_MILLISECONDS, `${consumer} ${mode}`).then(() => true, () => false),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const done = (await processed[consumer]()) - before;
    let exact = '-';
    if (totalOf[consumer] && finished.every(Boolean)) {
      const added = ((await totalOf[consumer]!()) ?? 0) - totalBefore;
      exact = added === expectedMicros ? 'exact' : `OFF by ${added - expectedMicros} µUSD`;
    } else if (!finished.every(Boolean)) {
      exact = `unfinished after ${MEASURE_WINDOW_MILLISECONDS / 1000} s`;
    }
    if (consumer === 'spend' && mode === 'relay') writesPerEvent = (events + (await commits()) - commitsBefore) / events;
    // Whatever is left unprocessed must not load the next measurement.
    await pubsub.subscription(subscriptionName).delete();
    await sleep(2000);
    collecting = undefined;
    if (!warmUp) results.push({ consumer, mode, events, done, seconds, perSecond: done / seconds, exact, ...(stats ? { stats } : {}) });
    process.stderr.write(`  ${warmUp ? '(warm-up) ' : ''}${consumer} via ${mode}: ${done}/${events} events in ${fixed(seconds, 1)} s\n`);
  }

  try {
    process.stderr.write('bench/spend: measuring…\n');
    // BENCH_SCENARIOS=relay:spend,relay:noop runs a subset (default: all six).
    const only = process.env.BENCH_SCENARIOS?.split(',');
    // Where the time goes: each Firestore call of the spend path alone, on the same emulator. Run
    // first, with a warm-up pass through the function, so no measurement pays the emulator's JVM
    // and the function's JIT warming up (a cold emulator spent ~3× the CPU per event).
    if (WARMUP_EVENTS > 0) await measure('spend', 'relay', WARMUP_EVENTS, true);
    const latencies = LATENCY_RUNS > 0 ? await measureSpendLatencies(db, LATENCY_RUNS) : undefined;
    for (const mode of ['relay', 'emulator-push'] as const) {
      for (const consumer of ['noop', 'spend', 'naive'] as const) {
        if (only && !only.includes(`${mode}:${consumer}`)) continue;
        await measure(consumer, mode, mode === 'relay' ? RELAY_EVENTS : PUSH_EVENTS);
      }
    }


    // P3: from publishing the event that crosses 95 % to the reader reporting the flag. Budgets
    // change every trial, so the function re-reads its config on every evaluation here.
    await stack.restartFunction('spend-aggregator', { env: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    const delays: number[] = [];
    const reader = await createThrottleReader({ projectId: PROJECT, firestore: db }).ready();
    const publisher = createPublisher({ projectId: PROJECT, source: 'bench-throttle', exitHook: false, batching: { maxMilliseconds: 0 } });
    // One extra first trial warms the restarted function (JIT, channels); it is not counted.
    for (let t = -1; t < TRIALS; t++) {
      const category = COST_CATEGORIES[(t + COST_CATEGORIES.length) % COST_CATEGORIES.length]!;
      const spent = (await readSpendTotals(db, period, [category]))[category] ?? 0;
      const budget = 2 * (spent + 1_000_000);
      await updateBudgetConfig(db, (c) => withBudget(c, category, budget));
      publisher.recordCost({ category, amountMicros: 1 });
      await publisher.flush();
      await until(async () => reader.throttleLevel(category) === 'none', 30_000, 'flag cleared');
      await sleep(50);
      const crossing = Math.ceil(0.95 * budget) - (spent + 1) + 1;
      const started = process.hrtime.bigint();
      publisher.recordCost({ category, amountMicros: crossing });
      void publisher.flush();
      while (!reader.isThrottled(category)) await new Promise((r) => setImmediate(r));
      if (t >= 0) delays.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    await publisher.close();
    await reader.close();

    const readsPerEvent = results.filter((r) => r.stats).map((r) => r.stats!.totalReads() / r.done);
    const get = (c: Consumer, m: Mode) => results.find((r) => r.consumer === c && r.mode === m) ?? { perSecond: Number.NaN };
    const report = [
      `bench/spend — local emulator stack, this run (${new Date().toISOString()})`,
      '',
      table([
        ['consumer', 'delivery', 'processed', 'seconds', 'events/s', 'totals'],
        ...results.map((r) => [r.consumer, r.mode === 'relay' ? `relay, ${CONCURRENCY} in flight` : 'emulator push (serial)', `${r.done}/${r.events}`, fixed(r.seconds, 1), fixed(r.perSecond, 0), r.exact]),
      ]),
      '',
      ...(['relay', 'emulator-push'] as const).map((m) => {
        const spend = get('spend', m).perSecond;
        return `${m === 'relay' ? 'concurrent push' : 'emulator push  '}: spend / naive = ${fixed(spend / get('naive', m).perSecond, 1)}×   spend / no-op ceiling = ${fixed((100 * spend) / get('noop', m).perSecond, 0)} %`;
      }),
      `Firestore writes per cost event (ledger entry + shard commits): ${fixed(writesPerEvent, 2)}`,
      ...results
        .filter((r) => r.stats)
        .flatMap((r) => [
          `spend via ${r.mode === 'relay' ? 'concurrent push' : 'emulator push  '}: ${fixed(1000 / r.perSecond, 2)} ms/event — ${r.stats!.describe(r.done)}`,
        ]),
      ...(latencies ? ['', latencies, ''] : []),
      `throttle propagation (publish of the crossing event → reader reports the flag), ${TRIALS} trials: p50 ${fixed(percentile(delays, 50), 0)} ms, p99 ${fixed(percentile(delays, 99), 0)} ms, max ${fixed(Math.max(...delays), 0)} ms`,
      '',
      `P1 ≥ 10× naive and ≥ 70 % of ceiling (concurrent push): ${get('spend', 'relay').perSecond / get('naive', 'relay').perSecond >= 10 ? 'MET' : 'MISSED'} / ${get('spend', 'relay').perSecond / get('noop', 'relay').perSecond >= 0.7 ? 'MET' : 'MISSED'}`,
      `serial push ≥ 40 % of its ceiling: ${get('spend', 'emulator-push').perSecond / get('noop', 'emulator-push').perSecond >= 0.4 ? 'MET' : 'MISSED'}`,
      `reads ≤ 0.5 per event (each delivery mode): ${readsPerEvent.every((r) => r <= 0.5) ? 'MET' : 'MISSED'}`,
      `P2 ≤ 2.5 writes per cost event: ${writesPerEvent <= 2.5 ? 'MET' : 'MISSED'}`,
      `P3 flag visible ≤ 500 ms p99: ${percentile(delays, 99) <= 500 ? 'MET' : 'MISSED'}`,
      ...(lines.length > 0 ? ['', `function errors during the run (${lines.length}):`, ...lines.slice(0, 5)] : []),
    ];
    process.stdout.write(`${report.join('\n')}\n`);
  } finally {
    await Promise.allSettled([db.terminate(), pubsub.close()]);
    await Promise.all([noop.process.stop(), naive.process.stop()]);
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/spend failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
