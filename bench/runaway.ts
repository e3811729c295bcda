/**
 * bench:runaway (issue 23, P8): how soon a bursting agent's reader sees `paused` (20 bursts, one
 * agent each), false trips of a fleet of jittery agents over `--minutes`, and the spend path's
 * throughput with a breaker rule against none, interleaved in one run on one stack.
 *   npm run bench:runaway -- [--minutes 10] [--agents 1000] [--bursts 20] [--events 3000] [--rounds 4]
 */
import { AggregateField, Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { startStack } from '../bin/stack/stack';
import { periodOf } from '../shared/basics/period';
import { COLLECTIONS } from '../shared/basics/collections';
import { createPublisher } from '../shared/publisher/publisher';
import { breakerRuleSchema } from '../shared/runaway/breaker-rule';
import { updateBreakerConfig } from '../shared/store/breaker-config-store';
import { activeTrips } from '../shared/store/runaway-trips-store';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { pushPathFor } from '../shared/topology/topology';
import { fixed, percentile, table } from './bench-support';
import { relayPush } from './push-relay';

const PROJECT = 'demo-bench-runaway';
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${process.argv[at + 1]}"`);
  return value;
};
const MINUTES = arg('minutes', 10);
const AGENTS = arg('agents', 1000);
const BURSTS = arg('bursts', 20);
const EVENTS = arg('events', 3000);
const ROUNDS = arg('rounds', 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every agent: trips above $1/min and 10× its baseline. A normal agent here spends ~$0.06/min.
const RULE = breakerRuleSchema.parse({ id: 'agent-all', scope: 'agent:*', floorMicrosPerMinute: 1_000_000, multiple: 10, cooldownMinutes: 60 });

async function main(): Promise<void> {
  const stack = await startStack({ projectId: PROJECT, functions: ['spend-aggregator', 'budget-evaluator'], functionEnv: { GOVERNOR_STATS_INTERVAL_MILLISECONDS: '0' }, schedules: true });
  Object.assign(process.env, stack.clientEnv);
  const db = new Firestore({ projectId: PROJECT });
  const pubsub = new PubSub({ projectId: PROJECT });
  const period = periodOf(new Date()).id;
  const counted = async () => (await db.collection(COLLECTIONS.spendShards).where('period', '==', period).aggregate({ events: AggregateField.sum('events') }).get()).data().events ?? 0;
  const publisher = createPublisher({ projectId: PROJECT, source: 'bench-runaway', exitHook: false, batching: { maxMilliseconds: 5 } });
  try {
    // 1. Throughput: the same load with no rule and with the rule, interleaved (a warm-up round
    // first), each through a relay keeping 64 pushes in flight as Pub/Sub does in production (the
    // emulator's own push sends one at a time). The cost is the median of the rounds' ratios.
    const spendUrl = stack.functions.find((f) => f.spec.name === 'spend-aggregator')!.url;
    const rates: Record<'without' | 'with', number[]> = { without: [], with: [] };
    let topics = 0;
    const load = async (round: number): Promise<number> => {
      const [topic] = await pubsub.createTopic(`bench-runaway-${topics++}`);
      const topicName = topic.name.split('/').pop()!;
      await topic.createSubscription(`${topicName}-sub`);
      const before = await counted();
      const loadPublisher = createPublisher({ projectId: PROJECT, topics: { cost: topicName }, source: 'bench', exitHook: false, buffer: { maxMessages: EVENTS + 1, maxBytes: 256 * 1024 * 1024 } });
      const started = Date.now();
      const relay = relayPush(pubsub, `${topicName}-sub`, `${spendUrl}${pushPathFor(PROJECT, topicName)}`, 64, EVENTS, 600_000);
      // 1,000 agents with a few events each: the breaker keeps a window per agent.
      for (let i = 0; i < EVENTS; i++) loadPublisher.emit({ type: 'cost', source: `tp-${round}-${i % 1000}`, payload: { category: 'COMPUTE', amountMicros: 100 } });
      await loadPublisher.close();
      await relay;
      while ((await counted()) < before + EVENTS) await sleep(100);
      const perSecond = (EVENTS * 1000) / (Date.now() - started);
      await pubsub.subscription(`${topicName}-sub`).delete();
      return perSecond;
    };
    await load(-1);
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of (round % 2 === 0 ? ['without', 'with'] : ['with', 'without']) as ('without' | 'with')[]) {
        await updateBreakerConfig(db, () => ({ rules: mode === 'with' ? [RULE] : [] }));
        await sleep(3_000);
        rates[mode].push(await load(round));
        process.stderr.write(`throughput round ${round + 1} ${mode} rules: ${fixed(rates[mode][rates[mode].length - 1] as number)} events/s\n`);
      }
    }
    await updateBreakerConfig(db, () => ({ rules: [RULE] }));
    await sleep(3_000);

    // 2. False trips: AGENTS agents in 50 teams, each an event a second with probability 0.1 (Poisson
    // arrivals) of $0.005–$0.015 (±50 %): ~$0.06/min. One in ten is heavy: $0.05–$0.15 an event,
    // ~$0.60/min, near the floor; with 10 minutes or more, each heavy agent has a busy minute at 3×
    // (~$1.80/min, above the floor) once it has 6 minutes of history — normal work the multiple
    // must tell from a runaway.
    const countedBefore = await counted();
    const started = Date.now();
    const end = started + MINUTES * 60_000;
    const surgeAt = Array.from({ length: AGENTS }, () => (MINUTES >= 10 ? started + (6 + Math.random() * (MINUTES - 7)) * 60_000 : Number.POSITIVE_INFINITY));
    let sent = 0;
    while (Date.now() < end) {
      const second = Date.now();
      for (let a = 0; a < AGENTS; a++) {
        const heavy = a % 10 === 0;
        const surging = heavy && second >= surgeAt[a]! && second < surgeAt[a]! + 60_000;
        if (Math.random() >= (surging ? 0.3 : 0.1)) continue;
        const micros = (heavy ? 10 : 1) * (5_000 + Math.floor(Math.random() * 10_000));
        publisher.emit({ type: 'cost', source: `steady-${a}`, payload: { category: 'COMPUTE', amountMicros: micros, attribution: { team: `team-${a % 50}` } } });
        sent += 1;
      }
      void publisher.flush();
      await sleep(Math.max(0, 1_000 - (Date.now() - second)));
    }
    await publisher.flush();
    process.stderr.write(`steady fleet done: ${sent} events\n`);
    await sleep(65_000); // a budget tick (the fleet-wide check) over the fleet's last minute
    const steadyTrips = async () => {
      const trips = (await activeTrips(db)).filter((t) => t.scope.startsWith('agent:steady-'));
      // Which agents and why: a heavy agent (every tenth) judged in its first minute, or a real miss.
      for (const t of trips) process.stderr.write(`false trip: ${t.scope} (${Number(t.scope.slice('agent:steady-'.length)) % 10 === 0 ? 'heavy' : 'light'}) ${t.reason} at ${t.rateMicrosPerMinute} µUSD/min against ${t.baselineMicrosPerMinute} from ${t.baselineFrom}\n`);
      return trips.length;
    };
    const falseTripsBeforeBursts = await steadyTrips();
    // Events still queued then were judged late (by their occurredAt: a backlog is no burst).
    const lagging = sent - ((await counted()) - countedBefore);
    process.stderr.write(`false trips after the steady fleet: ${falseTripsBeforeBursts}; events not yet counted 65 s after it: ${lagging}\n`);
    // 3. Bursts: one agent at a time, in a team of the steady fleet (its peers' baseline is theirs),
    // spends $0.20 every 50 ms until its reader says `paused`.
    const delays: number[] = [];
    for (let b = 0; b < BURSTS; b++) {
      const source = `burst-${b}`;
      const reader = await createThrottleReader({ projectId: PROJECT, firestore: db, source, attribution: { team: `team-${b % 50}` } }).ready();
      const started = Date.now();
      while (reader.throttleLevel('AI_API_CALLS') !== 'paused') {
        // A burst not paused within a minute counts as a minute (a miss), and the next one starts.
        if (Date.now() - started > 60_000) break;
        publisher.emit({ type: 'cost', source, payload: { category: 'AI_API_CALLS', amountMicros: 200_000, attribution: { team: `team-${b % 50}` } } });
        void publisher.flush();
        await sleep(50);
      }
      delays.push(Date.now() - started);
      await reader.close();
    }

    process.stderr.write(`bursts: ${delays.join(', ')} ms\n`);
    const falseTrips = Math.max(falseTripsBeforeBursts, await steadyTrips());

    const median = (xs: number[]) => percentile(xs, 50);
    const cost = 1 - median(rates.with.map((w, i) => w / (rates.without[i] as number)));
    console.log(`\nbench:runaway (${ROUNDS} interleaved rounds of ${EVENTS} events; ${BURSTS} bursts; ${AGENTS} jittery agents for ${MINUTES} min, ${sent} events)`);
    console.log(
      table([
        ['measure', 'value', 'target'],
        ['spend path events/s without rules (median)', fixed(median(rates.without)), ''],
        ['spend path events/s with agent:* rule (median)', fixed(median(rates.with)), ''],
        ['throughput cost of the breaker (median of the rounds\' ratios)', `${fixed(cost * 100)} %`, '≤ 10 %'],
        ['burst → reader paused p50 / p90 / p99 (ms)', `${fixed(percentile(delays, 50), 0)} / ${fixed(percentile(delays, 90), 0)} / ${fixed(percentile(delays, 99), 0)}`, '≤ 10,000 p99'],
        ['false trips among the jittery agents', String(falseTrips), '0'],
      ]),
    );
    console.log(`rounds without: ${rates.without.map((r) => fixed(r)).join(', ')}; with: ${rates.with.map((r) => fixed(r)).join(', ')}`);
    console.log(`burst delays (ms): ${delays.map((d) => String(d)).join(', ')}`);
  } finally {
    await publisher.close();
    await Promise.allSettled([db.terminate(), pubsub.close()]);
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
