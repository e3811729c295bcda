/**
 * bench/scopes, the agent's side: how soon an agent's own throttle flag reaches its reader after
 * the event that crosses 95 % of its daily budget (and that its team neighbour's reader stays
 * clear), and how far one agent at 200 events/s overspends its daily budget on soft flags.
 */
import type { Firestore } from '@google-cloud/firestore';
import { windowOf } from '../shared/budget/budget-window';
import { counterKeyOf } from '../shared/budget/scoped-budget';
import type { ThrottleLevel } from '../shared/budget/thresholds';
import { createPublisher, type GovernorPublisher } from '../shared/publisher/publisher';
import { readScopeTotal, readScopeTotals } from '../shared/store/scope-spend';
import { createThrottleReader, type ThrottleReader } from '../shared/throttle/throttle-reader';
import { AGENT_BUDGET, AGENT_DAILY_MICROS, agentOf } from './scope-fleet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CATEGORY = 'AI_API_CALLS' as const;

async function waitFor(check: () => boolean, timeoutMilliseconds: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`);
    await new Promise((r) => setImmediate(r));
  }
}

export interface CrossingResult {
  delaysMilliseconds: number[];
  /** Neighbours (same team and tenant) whose reader left `none` at any check. */
  neighboursThrottled: number;
  /** Crossing agents whose reader named another budget or scope than their own daily one. */
  wrongReason: number;
}

/**
 * `trials` agents each publish one event of 95 % of their daily budget; each has a reader, and so
 * has a neighbour in its team and tenant. Publish → reader reports `throttled`, one agent at a time.
 */
export async function measureCrossings(db: Firestore, projectId: string, topic: string, trials: number): Promise<CrossingResult> {
  const agents = Array.from({ length: trials }, (_, t) => agentOf('cross', t));
  // Agent t + 100 has the same team (t mod 100) and tenant (t mod 20): its scopes overlap but for its own.
  const neighbours = Array.from({ length: trials }, (_, t) => agentOf('cross', t + 100));
  const open = (a: { source: string; attribution: object }) => createThrottleReader({ projectId, firestore: db, ...a }).ready();
  const readers = await Promise.all(agents.map(open));
  const neighbourReaders = await Promise.all(neighbours.map(open));
  const publisher = createPublisher({ projectId, topics: { cost: topic }, source: 'bench-cross', exitHook: false, batching: { maxMilliseconds: 0 } });
  const result: CrossingResult = { delaysMilliseconds: [], neighboursThrottled: 0, wrongReason: 0 };
  const checkNeighbours = () => (result.neighboursThrottled = Math.max(result.neighboursThrottled, neighbourReaders.filter((r) => r.throttleLevel(CATEGORY) !== 'none').length));
  try {
    for (let t = 0; t < trials; t++) {
      const { source, attribution } = agents[t]!;
      const started = process.hrtime.bigint();
      publisher.emit({ type: 'cost', source, payload: { category: CATEGORY, amountMicros: Math.ceil(0.95 * AGENT_DAILY_MICROS), attribution } });
      void publisher.flush();
      await waitFor(() => readers[t]!.throttleLevel(CATEGORY) === 'throttled', 30_000, `${source} throttled`);
      result.delaysMilliseconds.push(Number(process.hrtime.bigint() - started) / 1e6);
      const why = readers[t]!.why(CATEGORY);
      if (why?.budget !== AGENT_BUDGET.id || why.scope !== `agent:${source}`) result.wrongReason += 1;
      checkNeighbours();
      await sleep(100);
    }
    // Late flag writes (alerts, the 80 % warning of the same event) have landed by now.
    await sleep(2000);
    checkNeighbours();
    return result;
  } finally {
    await publisher.close();
    await Promise.all([...readers, ...neighbourReaders].map((r) => r.close()));
  }
}

export interface HotAgentResult {
  events: number;
  seconds: number;
  /** µUSD the agent had sent when its reader showed each level (undefined: never shown). */
  sentAt: Partial<Record<ThrottleLevel, number>>;
  sentMicros: number;
  /** The pipeline's total for the agent's daily counter once every event was counted. */
  recordedMicros: number;
  /** Seconds from the first event until the pipeline had counted every event (how far behind it ran). */
  countedAfterSeconds: number;
}

/**
 * One agent alone at `rate` events/s of `eventMicros` each against its own daily budget, on soft
 * flags: it checks its reader before each event and stops once it reads `blocked` (or after
 * `capBudgets` budgets' worth). Overspend = what it sent past the budget.
 */
export async function runHotAgent(db: Firestore, projectId: string, topic: string, rate: number, eventMicros: number, capBudgets = 3): Promise<HotAgentResult> {
  const agent = agentOf('hot', 0);
  const publisher: GovernorPublisher = createPublisher({ projectId, topics: { cost: topic }, ...agent, exitHook: false });
  const reader: ThrottleReader = await createThrottleReader({ projectId, firestore: db, publisher }).ready();
  const result: HotAgentResult = { events: 0, seconds: 0, sentAt: {}, sentMicros: 0, recordedMicros: 0, countedAfterSeconds: 0 };
  const started = Date.now();
  try {
    for (;;) {
      const level = reader.throttleLevel(CATEGORY);
      result.sentAt[level] ??= result.sentMicros;
      if (level === 'blocked' || result.sentMicros >= capBudgets * AGENT_DAILY_MICROS) break;
      // Paced: the events due by now, then back to the event loop (flags arrive there).
      const due = Math.floor(((Date.now() - started) * rate) / 1000) - result.events;
      for (let i = 0; i < due; i++) {
        publisher.recordCost({ category: CATEGORY, amountMicros: eventMicros });
        result.events += 1;
        result.sentMicros += eventMicros;
      }
      await sleep(5);
    }
    result.seconds = (Date.now() - started) / 1000;
    await publisher.close();
    const key = counterKeyOf(AGENT_BUDGET.id, `agent:${agent.source}`, windowOf('day', 'UTC', new Date()).id);
    const deadline = Date.now() + 120_000;
    while ((result.recordedMicros = await readScopeTotal(db, key)) < result.sentMicros && Date.now() < deadline) await sleep(500);
    result.countedAfterSeconds = (Date.now() - started) / 1000;
    return result;
  } finally {
    await reader.close();
  }
}
