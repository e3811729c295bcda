/**
 * bench/scopes-hot-agent — P7's last line on the local emulator stack, in one run: one agent alone
 * at 200 events/s against its own `agent:*` daily budget, first on soft flags (it stops once its
 * reader says blocked: the overspend is what its counter shows past the budget), then on a hard
 * budget through a spend guard (reserve → settle at a varying real cost: the overspend must stay
 * within the calls' estimate errors, Σ (actual − estimate)⁺). Also: whether the agent's counter
 * and allowance documents ran hot (writes per second per document).
 */
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { startStack } from '../bin/stack/stack';
import { withScopedBudget } from '../shared/budget/budget-config';
import { windowOf } from '../shared/budget/budget-window';
import { counterKeyOf, type ScopedBudget } from '../shared/budget/scoped-budget';
import { COLLECTIONS } from '../shared/basics/collections';
import { HardBudgetExceededError } from '../shared/leasing/hard-budget-error';
import { createSpendGuard } from '../shared/leasing/spend-guard';
import { createPublisher } from '../shared/publisher/publisher';
import { surveyAllowanceOf } from '../shared/store/allowance-store';
import { scopedAllowance } from '../shared/store/allowance-target';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { readScopeTotal } from '../shared/store/scope-spend';
import { pushPathFor } from '../shared/topology/topology';
import { fixed, percentile } from './bench-support';
import { measureGuardCost, type GuardCost } from './spend-guard-cost';
import { startConcurrentRelay } from './push-relay';
import { runHotAgent } from './scope-flags';
import { AGENT_BUDGET, AGENT_DAILY_MICROS, agentOf, benchConfig } from './scope-fleet';

const PROJECT = 'demo-bench-scopes-hot';
const RATE = Number(process.env.BENCH_HOT_RATE ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const EVENT_MICROS = 10_000;
/** The hard run's agent is refused this many times in a row (a second apart) before it stops. */
const REFUSALS_TO_STOP = 3;
const HARD_BUDGET: ScopedBudget = { ...AGENT_BUDGET, id: 'bench-agent-day-hard', mode: 'hard' };
/** P9 with scoped hard budgets: a covered call reserves from three leases (fleet, agent:* day, team:* month). */
const COST_CALL = { model: 'gemini-2.5-flash', inputTokens: 1_000, maxOutputTokens: 300 };
const LARGE_MICROS = 1_000_000_000_000;
const COST_ROUNDS = Number(process.env.BENCH_COST_ROUNDS ?? 2);
const withScopedHard = (c: Parameters<typeof withScopedBudget>[0]) =>
  withScopedBudget(withScopedBudget(c, { ...HARD_BUDGET, amountMicros: LARGE_MICROS }), { id: 'bench-team-month-hard', scope: 'team:*', window: 'month', timezone: 'UTC', amountMicros: LARGE_MICROS, mode: 'hard' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Real cost of hard call `i`: 60–115 % of its estimate, so some calls cost more than reserved. */
const actualOf = (i: number) => Math.round(EVENT_MICROS * (0.6 + 0.55 * (((i * 37) % 100) / 99)));

interface HardRun {
  events: number;
  /** Seconds from the first call to the first refusal. */
  seconds: number;
  settledMicros: number;
  overdraftMicros: number;
  roundTrips: number;
  refusal: string;
  recordedMicros: number;
  /** Seconds from the first call until the pipeline had counted every settled call. */
  countedAfterSeconds: number;
}

/** One agent at `RATE` calls/s through a spend guard until the hard budget refuses it for good. */
async function runHardAgent(db: Firestore, topic: string): Promise<HardRun> {
  const identity = agentOf('hot-hard', 0);
  const publisher = createPublisher({ projectId: PROJECT, topics: { cost: topic }, ...identity, exitHook: false });
  const guard = await createSpendGuard({ publisher, firestore: db, exitHook: false }).ready();
  const run: HardRun = { events: 0, seconds: 0, settledMicros: 0, overdraftMicros: 0, roundTrips: 0, refusal: '', recordedMicros: 0, countedAfterSeconds: 0 };
  const started = Date.now();
  let refusals = 0;
  try {
    // Paced: the calls due by now, then back to the event loop. Once refused, one try a second: the
    // agent's own draining leases may still return allowance; it stops after a few refusals in a row.
    while (refusals < REFUSALS_TO_STOP) {
      const due = refusals > 0 ? 1 : Math.floor(((Date.now() - started) * RATE) / 1000) - run.events;
      for (let i = 0; i < due; i++) {
        const reservation = await guard.reserve({ estimateMicros: EVENT_MICROS }).catch((e: unknown) => {
          if (!(e instanceof HardBudgetExceededError)) throw e;
          run.refusal = e.message;
          return undefined;
        });
        if (!reservation) {
          refusals += 1;
          run.seconds ||= (Date.now() - started) / 1000;
          break;
        }
        refusals = 0;
        run.settledMicros += reservation.settle({ amountMicros: actualOf(run.events) }).amountMicros;
        run.events += 1;
      }
      await sleep(refusals > 0 ? 1_000 : 5);
    }
  } finally {
    await guard.close();
    await publisher.close();
  }
  run.overdraftMicros = guard.stats().overdraftMicros;
  run.roundTrips = guard.stats().withRoundTrip;
  const key = counterKeyOf(HARD_BUDGET.id, `agent:${identity.source}`, windowOf('day', 'UTC', new Date()).id);
  const deadline = Date.now() + 120_000;
  while ((run.recordedMicros = await readScopeTotal(db, key)) < run.settledMicros && Date.now() < deadline) await sleep(500);
  run.countedAfterSeconds = (Date.now() - started) / 1000;
  return run;
}

/** A counter's shard documents: how many, and the busiest one's writes and events. */
async function counterDocs(db: Firestore, budgetId: string, instance: string): Promise<{ documents: number; maxCommits: number; maxEvents: number }> {
  const docs = (await db.collection(COLLECTIONS.scopeSpend).where('budgetId', '==', budgetId).where('scope', '==', instance).get()).docs;
  return { documents: docs.length, maxCommits: Math.max(0, ...docs.map((d) => (d.get('commits') as number) ?? 0)), maxEvents: Math.max(0, ...docs.map((d) => (d.get('events') as number) ?? 0)) };
}

async function main(): Promise<void> {
  const errors: string[] = [];
  const stack = await startStack({ projectId: PROJECT, functions: ['spend-aggregator'], onLine: (source, line) => line.includes('"severity":"ERROR"') && errors.push(`[${source}] ${line}`) });
  Object.assign(process.env, stack.clientEnv);
  const db = new Firestore({ projectId: PROJECT });
  const pubsub = new PubSub({ projectId: PROJECT });
  try {
    process.stderr.write('bench/scopes-hot-agent: measuring…\n');
    // P9 first, while nothing else runs in this process: a covered call's cost with only the fleet's
    // hard budget and with two scoped ones too, alternated (fleet, scoped, fleet, scoped) so that a
    // change in the machine's load does not land on one side only.
    const costs: [string, GuardCost][] = [];
    for (let round = 0; round < COST_ROUNDS; round++) {
      // The same agent and attribution on both sides: only the budgets differ (an attributed event costs the publisher more to validate).
      costs.push(['fleet only', await measureGuardCost(`${PROJECT}-cost-fleet-${round}`, COST_CALL, { attribution: { team: 'bench' } })]);
      costs.push(['fleet + agent:* + team:*', await measureGuardCost(`${PROJECT}-cost-scoped-${round}`, COST_CALL, { configure: withScopedHard, attribution: { team: 'bench' } })]);
    }
    const [topic] = await pubsub.createTopic('bench-scopes-hot');
    const topicName = topic.name.split('/').pop()!;
    await topic.createSubscription(`${topicName}-sub`);
    const relay = await startConcurrentRelay(pubsub, `${topicName}-sub`, `${stack.functions[0]!.url}${pushPathFor(PROJECT, topicName)}`, CONCURRENCY);
    await updateBudgetConfig(db, benchConfig);
    const soft = await runHotAgent(db, PROJECT, topicName, RATE, EVENT_MICROS);
    process.stderr.write(`  soft: ${soft.events} events in ${fixed(soft.seconds, 1)} s\n`);
    await updateBudgetConfig(db, (c) => withScopedBudget(c, HARD_BUDGET));
    // A budget counts spend recorded from when the functions see it (their config interval, 2 s).
    await sleep(3_000);
    const hard = await runHardAgent(db, topicName);
    process.stderr.write(`  hard: ${hard.events} calls in ${fixed(hard.seconds, 1)} s\n`);
    await relay.stop();

    const softDocs = await counterDocs(db, AGENT_BUDGET.id, `agent:${agentOf('hot', 0).source}`);
    const hardDocs = await counterDocs(db, HARD_BUDGET.id, `agent:${agentOf('hot-hard', 0).source}`);
    const allowance = await surveyAllowanceOf(db, scopedAllowance(HARD_BUDGET, `agent:${agentOf('hot-hard', 0).source}`, windowOf('day', 'UTC', new Date())), HARD_BUDGET.amountMicros, Date.now(), 60_000);
    const allowanceCommits = Math.max(...allowance.map((s) => s.commits));
    const usd = (micros: number) => `$${fixed(micros / 1e6, 4)}`;
    const softOverspend = soft.recordedMicros - AGENT_DAILY_MICROS;
    // The agent stops at `blocked`, or after 3 budgets' worth: then the overspend is at least this.
    const capped = soft.sentAt.blocked === undefined ? '≥ ' : '';
    const hardOverspend = hard.recordedMicros - HARD_BUDGET.amountMicros;
    const perSecond = (n: number, seconds: number) => fixed(n / seconds, 1);
    const p99Of = (label: string) => percentile(costs.filter(([l]) => l === label).map(([, c]) => percentile(c.hard, 99)), 50);
    const report = [
      `bench/scopes-hot-agent — local emulator stack, this run (${new Date().toISOString()}); one agent alone at ${RATE} events/s against its own $${fixed(AGENT_DAILY_MICROS / 1e6, 0)} agent:* daily budget, relay with ${CONCURRENCY} pushes in flight`,
      '',
      `soft (reader flags, stops at blocked): ${soft.events} events of ${usd(EVENT_MICROS)} in ${fixed(soft.seconds, 1)} s (${fixed(soft.events / soft.seconds, 0)} events/s); counter ${usd(soft.recordedMicros)} (${soft.recordedMicros === soft.sentMicros ? 'exact' : `OFF by ${soft.recordedMicros - soft.sentMicros} µUSD`}) → soft overspend ${capped}${usd(softOverspend)} (${capped}${fixed((100 * softOverspend) / AGENT_DAILY_MICROS, 1)} % of the budget; reader showed throttled at ${soft.sentAt.throttled === undefined ? 'never' : usd(soft.sentAt.throttled)} sent, blocked at ${soft.sentAt.blocked === undefined ? 'never before the cap' : usd(soft.sentAt.blocked)})`,
      `hard (spend guard, estimate ${usd(EVENT_MICROS)}, real cost 60–115 % of it): ${hard.events} calls in ${fixed(hard.seconds, 1)} s to the first refusal (${fixed(hard.events / hard.seconds, 0)} events/s), ${hard.roundTrips} waited for a lease change; settled ${usd(hard.settledMicros)}, counter ${usd(hard.recordedMicros)} (${hard.recordedMicros === hard.settledMicros ? 'exact' : `OFF by ${hard.recordedMicros - hard.settledMicros} µUSD`}) → hard overspend ${usd(hardOverspend)} vs Σ estimate errors ${usd(hard.overdraftMicros)}; refused with: ${hard.refusal}`,
      `its counter documents (writes over the time the pipeline wrote them): soft budget ${softDocs.documents} shards, busiest ${softDocs.maxCommits} writes of ${softDocs.maxEvents} events in ${fixed(soft.countedAfterSeconds, 1)} s (${perSecond(softDocs.maxCommits, soft.countedAfterSeconds)} writes/s); hard budget ${hardDocs.documents} shards, busiest ${hardDocs.maxCommits} writes in ${fixed(hard.countedAfterSeconds, 1)} s (${perSecond(hardDocs.maxCommits, hard.countedAfterSeconds)} writes/s); its allowance: busiest of 8 shards ${allowanceCommits} writes in ${fixed(hard.seconds, 1)} s (${perSecond(allowanceCommits, hard.seconds)} writes/s)`,
      ...costs.map(([label, c], i) => `covered call (round ${Math.floor(i / 2) + 1}), one agent alone, hard budgets ${label}: reserve + settle p50 ${fixed(percentile(c.hard, 50), 1)} µs, p99 ${fixed(percentile(c.hard, 99), 1)} µs (reserve alone p99 ${fixed(percentile(c.reserve, 99), 1)} µs; ${c.roundTrips} calls needed a lease change); soft flag check + cost event p99 ${fixed(percentile(c.soft, 99), 1)} µs`),
      '',
      `P7 one agent at ${RATE} events/s: soft overspend reported (${capped}${fixed((100 * softOverspend) / AGENT_DAILY_MICROS, 1)} %); hard overspend ≤ the estimate error: ${hardOverspend <= hard.overdraftMicros ? 'MET' : 'MISSED'} (${usd(hardOverspend)} ≤ ${usd(hard.overdraftMicros)}); its counter not hot (≤ 1 write/s per counter document while the pipeline wrote it): ${Math.max(softDocs.maxCommits / soft.countedAfterSeconds, hardDocs.maxCommits / hard.countedAfterSeconds) <= 1 ? 'MET' : 'MISSED'}`,
      `P9 a covered call ≤ 50 µs p99 with the scoped hard budgets (fleet + agent:* + team:*), median of the rounds: ${p99Of('fleet + agent:* + team:*') <= 50 ? 'MET' : 'MISSED'} (${fixed(p99Of('fleet + agent:* + team:*'), 1)} µs; fleet only ${fixed(p99Of('fleet only'), 1)} µs in the same run)`,
      ...(errors.length > 0 ? ['', `function errors during the run (${errors.length}):`, ...errors.slice(0, 5)] : []),
    ];
    process.stdout.write(`${report.join('\n')}\n`);
  } finally {
    await Promise.allSettled([db.terminate(), pubsub.close()]);
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/scopes-hot-agent failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
