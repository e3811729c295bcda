/**
 * bench/budget-hard — hard budgets against soft flags, on the local emulator stack, in one run:
 * N agents (10, 100; in 4 processes) each making calls as fast as they are allowed against a $10
 * budget, once with `budgetMode: hard` (reserve → settle against leases) and once with soft flags
 * only (check the throttle flag, call, record usage). Measures overspend (recorded spend over the
 * budget, from the real pipeline's totals once every event is counted), the share of calls that
 * waited for a Firestore round trip, and the latency each approach adds to a call.
 */
import { startEmulator } from '../bin/stack/emulators';
import { freePort } from '../bin/stack/ports';
import { startStack } from '../bin/stack/stack';
import { withBudget } from '../shared/budget/budget-config';
import { periodOf } from '../shared/basics/period';
import { estimateCost } from '../shared/pricing/ai-cost';
import { PRICE_TABLE } from '../shared/pricing/price-data';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { COLLECTIONS } from '../shared/basics/collections';
import { readSpendTotals } from '../shared/store/spend-shards';
import { surveyAllowance } from '../shared/store/allowance-store';
import { startAgentProcess, type AgentReport } from './agent-fleet';
import { startConcurrentRelay } from './push-relay';
import { pushPathFor } from '../shared/topology/topology';
import { fixed, percentile, table } from './bench-support';
import { measureGuardCost, type GuardCost } from './spend-guard-cost';
import type { AgentProcessConfig } from './agent-fleet';

const BUDGET_MICROS = 10_000_000;
// `BENCH_AGENTS=0`: only the one-agent measurement.
const FLEETS = (process.env.BENCH_AGENTS ?? '10,100').split(',').map(Number).filter((n) => n > 0);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 4);
// Simulated model call time: short, so agents spend fast (a real call takes seconds).
const CALL_MILLISECONDS = Number(process.env.BENCH_CALL_MS ?? 50);
// Soft agents stop at the blocked flag, or once the fleet has made this many budgets' worth of calls.
const SOFT_CAP_BUDGETS = Number(process.env.BENCH_SOFT_CAP_BUDGETS ?? 2);
// Pub/Sub pushes to a function with many requests in flight; the emulator pushes one at a time
// (~55 events/s into spend-aggregator here), which no fleet worth a hard budget waits for.
const RELAY_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const CALL = { model: 'gemini-2.5-flash', inputTokens: 1_000, maxOutputTokens: 300 };
// Mean real cost of the workers' calls (output between a quarter of the cap and the cap).
const MEAN_CALL_MICROS = 300 + 2.5 * 300 * 0.625;

interface RunResult {
  mode: 'hard' | 'soft';
  agents: number;
  calls: number;
  recordedMicros: number;
  capped: boolean;
  /** Recorded totals against the agents' settled sums (hard runs). */
  exact: string;
  /** Writes per second to the busiest allowance shard over the run (hard runs). */
  hottestShardWritesPerSecond: number;
  roundTripShare: number;
  /** Reservations refused at the limit (each agent stops after a few in a row). */
  refused: number;
  covered: number[];
  roundTrip: number[];
  seconds: number;
}

async function run(mode: 'hard' | 'soft', agents: number, hosts: { pubsubHost: string; firestoreHost: string }): Promise<RunResult> {
  const projectId = `demo-bench-hard-${mode}-${agents}`;
  const errors: string[] = [];
  const stack = await startStack({ projectId, reuse: hosts, functions: ['spend-aggregator'], onLine: (s, l) => l.includes('"severity":"ERROR"') && errors.push(`[${s}] ${l}`) });
  const db = new Firestore({ projectId });
  const relayClient = new PubSub({ projectId });
  const fn = stack.functions[0]!;
  const relay = await startConcurrentRelay(relayClient, fn.spec.subscription.name, `${fn.url}${pushPathFor(projectId, fn.spec.subscription.topic)}`, RELAY_CONCURRENCY);
  try {
    await updateBudgetConfig(db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', BUDGET_MICROS), ...(mode === 'hard' ? { budgetMode: { AI_API_CALLS: 'hard' as const } } : {}) }));
    const maxCalls = mode === 'soft' ? Math.ceil((SOFT_CAP_BUDGETS * BUDGET_MICROS) / MEAN_CALL_MICROS / agents) : 1_000_000;
    const started = Date.now();
    const workers = Array.from({ length: Math.min(PROCESSES, agents) }, (_, p) => {
      const share = Math.floor(agents / PROCESSES) + (p < agents % PROCESSES ? 1 : 0);
      const config: AgentProcessConfig = { projectId, agents: share, name: `${mode}-${agents}-${p}`, mode, ...CALL, callMilliseconds: CALL_MILLISECONDS, maxCalls, maxRefusals: 3 };
      return startAgentProcess(config, { ...process.env, ...stack.clientEnv });
    });
    const reports: AgentReport[] = (await Promise.all(workers.map((w) => w.finished))).flat();
    const seconds = (Date.now() - started) / 1000;
    const calls = reports.reduce((n, r) => n + r.calls, 0);
    const settledMicros = reports.reduce((n, r) => n + r.spentMicros, 0);
    const period = periodOf(new Date()).id;
    let recordedMicros = settledMicros;
    let exact = 'not waited for';
    let hottestShardWritesPerSecond = Number.NaN;
    if (mode === 'hard') {
      // Hard: what the pipeline records once every published event is counted — and it must be
      // exactly what the agents settled. (Soft: the agents' own sum; the pipeline is still far
      // behind when they stop, and draining it would only make the run longer.)
      const deadline = Date.now() + 300_000;
      for (;;) {
        const counted = (await db.collection(COLLECTIONS.costEvents).where('period', '==', period).count().get()).data().count;
        if (counted >= calls) break;
        if (Date.now() > deadline) throw new Error(`only ${counted} of ${calls} events counted`);
        await new Promise((r) => setTimeout(r, 500));
      }
      recordedMicros = (await readSpendTotals(db, period, ['AI_API_CALLS'])).AI_API_CALLS ?? 0;
      const shards = await surveyAllowance(db, period, 'AI_API_CALLS', BUDGET_MICROS, Date.now(), 60_000);
      hottestShardWritesPerSecond = Math.max(...shards.map((sh) => sh.commits)) / seconds;
      exact = recordedMicros === settledMicros ? 'exact' : `OFF by ${recordedMicros - settledMicros} µUSD`;
    }
    const coveredLocally = reports.reduce((n, r) => n + (r.stats?.coveredLocally ?? 0), 0);
    const waited = reports.reduce((n, r) => n + (r.stats?.withRoundTrip ?? 0), 0);
    const callErrors = reports.reduce((n, r) => n + (r.errors ?? 0), 0);
    const refused = reports.reduce((n, r) => n + (r.stats?.refused ?? 0), 0);
    const contended = reports.reduce((n, r) => n + (r.stats?.contended ?? 0), 0);
    if (mode === 'hard') process.stderr.write(`  lease changes retried after contention: ${contended}; calls failed by contention: ${callErrors}${callErrors > 0 ? ` (${reports.find((r) => r.errors)?.lastError})` : ''}\n`);
    if (errors.length > 0) process.stderr.write(`  function errors: ${errors.slice(0, 3).join('\n')}\n`);
    process.stderr.write(`  ${mode} × ${agents}: ${calls} calls in ${fixed(seconds, 1)} s, spend $${fixed(recordedMicros / 1e6, 4)} (${exact})\n`);
    return {
      mode,
      agents,
      calls,
      recordedMicros,
      exact,
      hottestShardWritesPerSecond,
      capped: mode === 'soft' && reports.some((r) => r.calls >= maxCalls),
      // Of the calls made (granted reservations): refusals at the limit are counted apart.
      roundTripShare: mode === 'hard' ? waited / (coveredLocally + waited) : 0,
      refused,
      covered: reports.flatMap((r) => r.covered),
      roundTrip: reports.flatMap((r) => r.roundTrip),
      seconds,
    };
  } finally {
    // The relay and its client first: a pull stream left open keeps the process alive after main().
    await relay.stop();
    await relayClient.close();
    await db.terminate();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  process.stderr.write('bench/budget-hard: measuring…\n');
  const [pubsub, firestore] = await Promise.all([startEmulator('pubsub', { port: await freePort() }), startEmulator('firestore', { port: await freePort() })]);
  process.env.METADATA_SERVER_DETECTION = 'none';
  Object.assign(process.env, { PUBSUB_EMULATOR_HOST: pubsub.hostPort, FIRESTORE_EMULATOR_HOST: firestore.hostPort });
  const results: RunResult[] = [];
  let alone: GuardCost;
  try {
    alone = await measureGuardCost('demo-bench-hard-alone', CALL);
    for (const agents of FLEETS) {
      for (const mode of ['soft', 'hard'] as const) results.push(await run(mode, agents, { pubsubHost: pubsub.hostPort, firestoreHost: firestore.hostPort }));
    }
  } finally {
    await Promise.allSettled([pubsub.stop(), firestore.stop()]);
  }
  const overspend = (r: RunResult) => (100 * (r.recordedMicros - BUDGET_MICROS)) / BUDGET_MICROS;
  const lines = [
    `bench/budget-hard — local emulator stack, this run (${new Date().toISOString()}); $${BUDGET_MICROS / 1e6} budget, calls of ${CALL.model} estimated at $${fixed(estimateCost(PRICE_TABLE, CALL, new Date()) / 1e6, 6)} (simulated ${CALL_MILLISECONDS} ms each), ${PROCESSES} agent processes, spend-aggregator fed by a relay with ${RELAY_CONCURRENCY} pushes in flight`,
    '',
    table([
      ['agents', 'mode', 'calls', 'spend', 'recorded vs settled', 'overspend', 'calls w/ round trip', 'refused', 'added µs p50', 'p99 (lease covers / flag check)', 'round-trip call ms p50 / p99', 'busiest shard writes/s'],
      ...results.map((r) => [
        String(r.agents),
        r.mode === 'hard' ? 'hard (leases)' : 'soft flags only',
        String(r.calls),
        `$${fixed(r.recordedMicros / 1e6, 4)}`,
        r.exact,
        `${r.capped ? '≥ ' : ''}${fixed(overspend(r), 2)} %`,
        r.mode === 'hard' ? `${fixed(100 * r.roundTripShare, 2)} %` : '0 (live listener)',
        r.mode === 'hard' ? String(r.refused) : '-',
        fixed(percentile(r.covered, 50), 1),
        fixed(percentile(r.covered, 99), 1),
        r.roundTrip.length > 0 ? `${fixed(percentile(r.roundTrip, 50) / 1000, 1)} / ${fixed(percentile(r.roundTrip, 99) / 1000, 1)}` : '-',
        r.mode === 'hard' ? fixed(r.hottestShardWritesPerSecond, 2) : '-',
      ]),
    ]),
    '',
    ...FLEETS.map((n) => {
      const hard = results.find((r) => r.agents === n && r.mode === 'hard');
      const soft = results.find((r) => r.agents === n && r.mode === 'soft');
      if (!hard || !soft) return '';
      return `${n} agents: overspend ${fixed(overspend(hard), 2)} % hard vs ${soft.capped ? '≥ ' : ''}${fixed(overspend(soft), 2)} % soft; added p99 ${fixed(percentile(hard.covered, 99), 1)} µs hard vs ${fixed(percentile(soft.covered, 99), 1)} µs soft (ratio ${fixed(percentile(hard.covered, 99) / percentile(soft.covered, 99), 2)}×) — overspend ≤ 1 %: ${overspend(hard) <= 1 ? 'MET' : 'MISSED'}, round trips ≤ 5 %: ${hard.roundTripShare <= 0.05 ? 'MET' : 'MISSED'}, p99 ≤ 50 µs: ${percentile(hard.covered, 99) <= 50 ? 'MET' : 'MISSED'}`;
    }),
    '',
    `One agent alone in a process, ${alone.hard.length} covered calls (${alone.roundTrips} more needed a lease round trip): reserve + settle p50 ${fixed(percentile(alone.hard, 50), 1)} µs, p99 ${fixed(percentile(alone.hard, 99), 1)} µs, p99.9 ${fixed(percentile(alone.hard, 99.9), 1)} µs (reserve alone p50 ${fixed(percentile(alone.reserve, 50), 1)}, p99 ${fixed(percentile(alone.reserve, 99), 1)} µs); soft flag check + cost event p50 ${fixed(percentile(alone.soft, 50), 1)} µs, p99 ${fixed(percentile(alone.soft, 99), 1)} µs, p99.9 ${fixed(percentile(alone.soft, 99.9), 1)} µs — covered-call p99 ≤ 50 µs: ${percentile(alone.hard, 99) <= 50 ? 'MET' : 'MISSED'}`,
    `  first call after each turn of the event loop (batches sent, caches cold; ${alone.afterTurn.hard.length} per path): hard p50 ${fixed(percentile(alone.afterTurn.hard, 50), 1)} µs, soft p50 ${fixed(percentile(alone.afterTurn.soft, 50), 1)} µs`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/budget-hard failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
