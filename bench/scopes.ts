/**
 * bench/scopes — P7 on the local emulator stack, all in one run: N distinct agents (1k, 10k) in
 * 100 teams and 20 tenants, every event under `agent:*` daily, `team:*` monthly and the fleet's
 * budgets. Spend-path throughput against the no-op ceiling (relay, as bench/spend), Firestore
 * writes and reads per event, documents per scope instance; the affected agent's flag latency;
 * one agent at 200 events/s on soft flags; the cost at 100k computed from the measured per-agent costs.
 */
import { join } from 'node:path';
import { AggregateField, Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { startFunction } from '../bin/stack/functions-runner';
import { freePort } from '../bin/stack/ports';
import { repoRoot } from '../bin/stack/repo-root';
import { startStack } from '../bin/stack/stack';
import { periodOf } from '../shared/basics/period';
import { COLLECTIONS } from '../shared/basics/collections';
import { createPublisher } from '../shared/publisher/publisher';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { pushPathFor } from '../shared/topology/topology';
import { fixed, percentile } from './bench-support';
import { relayPush, startConcurrentRelay } from './push-relay';
import { AGENT_BUDGET, AGENT_DAILY_MICROS, benchConfig, budgetWindowDocs, publishFleet, TEAM_BUDGET, timeCounterReads, writeMarks } from './scope-fleet';
import { measureCrossings, runHotAgent } from './scope-flags';
import { scopeGrowthReport, shareOfCeiling, type LoadRun } from './scope-growth';
import { SpendStats } from './spend-stats';

const PROJECT = 'demo-bench-scopes';
const AGENT_COUNTS = (process.env.BENCH_SCOPE_AGENTS ?? '1000,10000').split(',').map(Number);
const PER_AGENT = Number(process.env.BENCH_EVENTS_PER_AGENT ?? 3);
const NOOP_EVENTS = Number(process.env.BENCH_NOOP_EVENTS ?? 3000);
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const CROSSINGS = Number(process.env.BENCH_CROSSINGS ?? 20);
const HOT_RATE = Number(process.env.BENCH_HOT_RATE ?? 200);
const HOT_EVENT_MICROS = 10_000;
const TIMEOUT_MILLISECONDS = 1_200_000;
// The stack's default 256 MB stopped answering with 10k agents' counters in one window.
const FIRESTORE_HEAP = process.env.BENCH_FIRESTORE_HEAP ?? '10g';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const errors: string[] = [];
  let collecting: SpendStats | undefined;
  // Each flag transaction that changed a flag document logs this line: the flag writes.
  let flagWrites = 0;
  const stack = await startStack({
    projectId: PROJECT,
    emulatorHeap: { firestore: FIRESTORE_HEAP },
    functions: ['spend-aggregator'],
    functionEnv: { GOVERNOR_STATS_INTERVAL_MILLISECONDS: '500' },
    onLine: (source, line) => {
      if (line.includes('"severity":"ERROR"')) errors.push(`[${source}] ${line}`);
      if (line.includes('scoped throttle flags changed')) flagWrites += 1;
      if (source === 'spend-aggregator') collecting?.addLine(line);
    },
  });
  Object.assign(process.env, stack.clientEnv);
  const noop = await startFunction({
    spec: { name: 'bench-noop', target: 'noopConsumer', subscription: stack.topology.functions[0]!.subscription },
    port: await freePort(),
    source: join(repoRoot(), 'dist/bench/bench-functions.js'),
    env: { ...process.env, ...stack.clientEnv },
  });
  const db = new Firestore({ projectId: PROJECT });
  const pubsub = new PubSub({ projectId: PROJECT });
  const period = periodOf(new Date()).id;
  const spendUrl = stack.functions[0]!.url;
  const processed = {
    spend: async () => (await db.collection(COLLECTIONS.spendShards).where('period', '==', period).aggregate({ events: AggregateField.sum('events') }).get()).data().events ?? 0,
    noop: async () => ((await (await fetch(`${noop.url}/`)).json()) as { received: number }).received,
  };
  let topics = 0;
  const newTopic = async (): Promise<{ topic: string; subscription: string }> => {
    const [t] = await pubsub.createTopic(`bench-scopes-${topics++}`);
    await t.createSubscription(`${t.name.split('/').pop()}-sub`);
    return { topic: t.name.split('/').pop()!, subscription: `${t.name.split('/').pop()}-sub` };
  };

  /** Publishes a fleet's events through a relay (64 in flight) to `consumer`; events/s until all are counted. */
  async function load(consumer: 'spend' | 'noop', prefix: string, agents: number, perAgent: number): Promise<LoadRun> {
    const { topic, subscription } = await newTopic();
    const url = `${consumer === 'spend' ? spendUrl : noop.url}${pushPathFor(PROJECT, topic)}`;
    const before = await processed[consumer]();
    const marks = await writeMarks(db, period);
    const docs = await Promise.all([budgetWindowDocs(db, AGENT_BUDGET), budgetWindowDocs(db, TEAM_BUDGET)]);
    const stats = (collecting = new SpendStats());
    const flagsBefore = flagWrites;
    const events = agents * perAgent;
    const publisher = createPublisher({ projectId: PROJECT, topics: { cost: topic }, source: 'bench', exitHook: false, buffer: { maxMessages: events + 1, maxBytes: 512 * 1024 * 1024 } });
    const started = Date.now();
    const relay = relayPush(pubsub, subscription, url, CONCURRENCY, events, TIMEOUT_MILLISECONDS);
    publishFleet(publisher, prefix, agents, perAgent);
    await publisher.close();
    await relay;
    while ((await processed[consumer]()) < before + events) await sleep(100);
    const seconds = (Date.now() - started) / 1000;
    await pubsub.subscription(subscription).delete();
    await sleep(2000); // the function's last stats interval
    collecting = undefined;
    const after = await writeMarks(db, period);
    const docsAfter = await Promise.all([budgetWindowDocs(db, AGENT_BUDGET), budgetWindowDocs(db, TEAM_BUDGET)]);
    // What one first-touch read costs on this emulator now, with the collection at its size.
    const readMilliseconds = consumer === 'spend' ? await timeCounterReads(db, prefix, Math.min(agents, 20)) : Number.NaN;
    const run: LoadRun = {
      readMilliseconds,
      consumer,
      agents,
      events,
      seconds,
      perSecond: events / seconds,
      writes: {
        ledger: events,
        fleetShards: after.shardCommits - marks.shardCommits,
        scopedCounters: stats.stage('writes:scoped').items,
        flags: flagWrites - flagsBefore,
        // An alert is created, then marked published once its message is out.
        alerts: 2 * (after.alerts - marks.alerts),
      },
      reads: stats.reads(),
      agentDocs: docsAfter[0]!.documents - docs[0]!.documents,
      teamDocs: docsAfter[1]!.documents,
      stats,
    };
    process.stderr.write(`  ${consumer}, ${agents} agents × ${perAgent}: ${events} events in ${fixed(seconds, 1)} s (${fixed(run.perSecond, 0)}/s)\n`);
    return run;
  }

  try {
    process.stderr.write('bench/scopes: measuring…\n');
    await updateBudgetConfig(db, benchConfig);
    // Warm the emulator's JVM and the function's JIT (not counted), as bench/spend does.
    if (WARMUP_EVENTS > 0) await load('spend', 'warm', 50, Math.ceil(WARMUP_EVENTS / 50));
    const ceiling = await load('noop', 'noop', NOOP_EVENTS, 1);
    const runs: LoadRun[] = [];
    for (const agents of AGENT_COUNTS) {
      // Each run's ceiling is measured right before it: the load of this shared machine drifts.
      const adjacent = await load('noop', `noop${agents}`, Math.min(agents * PER_AGENT, NOOP_EVENTS * 3), 1);
      runs.push({ ...(await load('spend', `a${agents}`, agents, PER_AGENT)), ceiling: adjacent });
    }

    // One crossing event at a time through the emulator's own push to the function, as bench:spend's
    // P3 does: the relay's streaming pull from the Pub/Sub emulator hands a lone message over only
    // after a second or two, which is the emulator's delivery, not Governor's path.
    const flagsBefore = flagWrites;
    const crossings = await measureCrossings(db, PROJECT, stack.topology.topics.cost, CROSSINGS);
    const crossingFlagWrites = flagWrites - flagsBefore;
    // The hot agent needs pushes in flight: through a relay as in production (the emulator's push is serial).
    const live = await newTopic();
    const relay = await startConcurrentRelay(pubsub, live.subscription, `${spendUrl}${pushPathFor(PROJECT, live.topic)}`, CONCURRENCY);
    const hot = await runHotAgent(db, PROJECT, live.topic, HOT_RATE, HOT_EVENT_MICROS);
    const hotDocs = (await db.collection(COLLECTIONS.scopeSpend).where('scope', '==', 'agent:hot-0').get()).docs;
    await relay.stop();

    const d = crossings.delaysMilliseconds;
    const main = runs.find((r) => r.agents === 10_000) ?? runs[runs.length - 1]!;
    const writesPerEvent = (r: LoadRun) => Object.values(r.writes).reduce((a, b) => a + b, 0) / r.events;
    const readsPerEvent = (r: LoadRun) => [...r.reads.values()].reduce((a, b) => a + b, 0) / r.events;
    const overspend = (at: number | undefined) => (at === undefined ? 'never shown' : `$${fixed(at / 1e6, 2)} sent (${at >= AGENT_DAILY_MICROS ? '+' : ''}${fixed((100 * (at - AGENT_DAILY_MICROS)) / AGENT_DAILY_MICROS, 1)} % of the budget)`);
    const maxShard = Math.max(...hotDocs.map((doc) => (doc.get('events') as number) ?? 0));
    const report = [
      `bench/scopes — local emulator stack, this run (${new Date().toISOString()}); relay with ${CONCURRENCY} pushes in flight`,
      '',
      scopeGrowthReport(ceiling, runs, { writesPerEvent, readsPerEvent }),
      '',
      `flag visibility, ${d.length} agents each crossing 95 % of its own daily budget with one event (publish → its reader reports throttled): p50 ${fixed(percentile(d, 50), 0)} ms, p99 ${fixed(percentile(d, 99), 0)} ms, max ${fixed(Math.max(...d), 0)} ms; why() named another budget/scope: ${crossings.wrongReason}; neighbours (same team and tenant) whose reader left none: ${crossings.neighboursThrottled} of ${d.length}; flag documents written: ${crossingFlagWrites}`,
      `one agent alone at ${HOT_RATE} events/s ($${fixed(HOT_EVENT_MICROS / 1e6, 2)} each) against its $${fixed(AGENT_DAILY_MICROS / 1e6, 0)} daily budget, soft flags (stops at blocked): ${hot.events} events in ${fixed(hot.seconds, 1)} s (${fixed(hot.events / hot.seconds, 0)}/s); reader showed throttled at ${overspend(hot.sentAt.throttled)}, blocked at ${overspend(hot.sentAt.blocked)}; soft overspend ${overspend(hot.sentMicros)}; pipeline total ${hot.recordedMicros === hot.sentMicros ? 'exact' : `OFF by ${hot.recordedMicros - hot.sentMicros} µUSD`}, every event counted ${fixed(hot.countedAfterSeconds, 1)} s after the first (${fixed(hot.events / hot.countedAfterSeconds, 0)} events/s through the pipeline); its daily counter: ${hotDocs.length} shard documents, busiest ${maxShard} of ${hot.events} events (${fixed(maxShard / hot.seconds, 1)} events/s)`,
      '',
      `P7 spend path ≥ 70 % of the no-op ceiling measured just before it (${main.agents} agents): ${shareOfCeiling(main, ceiling) >= 0.7 ? 'MET' : 'MISSED'} (${fixed(100 * shareOfCeiling(main, ceiling), 0)} %)`,
      `P7 ≤ 3 Firestore writes per event: ${writesPerEvent(main) <= 3 ? 'MET' : 'MISSED'} (${fixed(writesPerEvent(main), 2)})`,
      `P7 ≤ 0.5 reads per event: ${readsPerEvent(main) <= 0.5 ? 'MET' : 'MISSED'} (${fixed(readsPerEvent(main), 2)})`,
      `P7 affected agent's flag ≤ 500 ms p99, neighbours untouched: ${percentile(d, 99) <= 500 ? 'MET' : 'MISSED'} / ${crossings.neighboursThrottled === 0 ? 'MET' : 'MISSED'}`,
      'P7 hard overspend ≤ the estimate error: measured by `npm run bench:scopes:hot` (one agent at 200 events/s against its own hard daily budget)',
      ...(errors.length > 0 ? ['', `function errors during the run (${errors.length}):`, ...errors.slice(0, 5)] : []),
    ];
    process.stdout.write(`${report.join('\n')}\n`);
  } finally {
    await Promise.allSettled([db.terminate(), pubsub.close()]);
    await noop.process.stop();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/scopes failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
