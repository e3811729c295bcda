/**
 * What a covered hard-budget call costs the agent, alone in one process: `reserve()` against a
 * lease that covers it, then `settle()`, next to the soft path (throttle flag check, then the cost
 * event) measured in the same run. In the fleet runs of bench/budget-hard, dozens of agents share a process
 * and two cores with the emulators, so a call's measured time is mostly other agents' turns on the
 * event loop and the scheduler; this run separates the guard's own share.
 */
import { Firestore } from '@google-cloud/firestore';
import { withBudget, type BudgetConfig } from '../shared/budget/budget-config';
import type { Attribution } from '../shared/contracts/attribution';
import { createSpendGuard } from '../shared/leasing/spend-guard';
import { createPublisher, type GovernorPublisher } from '../shared/publisher/publisher';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { provisionTopics } from '../bin/stack/provision';
import { loadTopology } from '../shared/topology/topology';
import { microsSince } from './bench-support';

export interface GuardCost {
  /** reserve (covered) + settle, µs per call. */
  hard: number[];
  /** reserve alone (covered): the wait before the model call starts, µs. */
  reserve: number[];
  /** flag check + cost event, µs per call. */
  soft: number[];
  /** Of those, the first call after each turn of the event loop (hard, soft): see COST_DEFAULTS.burst. */
  afterTurn: { hard: number[]; soft: number[] };
  /** Calls of the hard phase that needed a lease round trip (not in `hard`). */
  roundTrips: number;
}

const COST_DEFAULTS = {
  calls: Number(process.env.BENCH_GUARD_CALLS ?? 50_000),
  warmupCalls: 5_000,
  // A budget large enough that leases, not the limit, decide when a round trip happens.
  budgetMicros: 1_000_000_000_000,
  // The loop yields to the event loop this often (the same pacing as bench/publisher's P4) and
  // waits while the publisher's buffer fills, as a busy agent would (otherwise the run measures the
  // publisher's overflow path). The yield is where batches are sent, and the first call after it
  // runs on cold caches — 5–8× slower, even for pure arithmetic — so those calls are also reported
  // on their own: with a yield every 100 calls they alone would be the p99.
  burst: 1_000,
  maxBuffered: 2_000,
};

/**
 * The two paths run as separate phases, each with its own publisher: interleaved in one loop,
 * every 100th event fills a batch and pays its synchronous send, and with two events per turn
 * that send lands on the same path every time, which would charge it all to one side.
 */
/** What else the hard phase's budgets hold (scoped hard budgets: bench/scopes-hot-agent), and its agent's attribution. */
export interface GuardCostSetup {
  configure?: (config: BudgetConfig) => BudgetConfig;
  attribution?: Attribution;
}

export async function measureGuardCost(projectId: string, call: { model: string; inputTokens: number; maxOutputTokens: number }, setup: GuardCostSetup = {}): Promise<GuardCost> {
  const options = COST_DEFAULTS;
  await provisionTopics({ projectId, pubsubHost: process.env.PUBSUB_EMULATOR_HOST!, topology: loadTopology({}) });
  const db = new Firestore({ projectId });
  const configure = setup.configure ?? ((c: BudgetConfig) => c);
  await updateBudgetConfig(db, (c) => configure({ ...withBudget(c, 'AI_API_CALLS', options.budgetMicros), budgetMode: { AI_API_CALLS: 'hard' as const } }));
  const result: GuardCost = { hard: [], reserve: [], soft: [], afterTurn: { hard: [], soft: [] }, roundTrips: 0 };
  const afterTurn = (i: number) => i % options.burst === 0;
  const usageOf = (i: number) => ({ inputTokens: call.inputTokens, outputTokens: 75 + (i % 226) });
  async function pace(i: number, publisher: GovernorPublisher): Promise<void> {
    if (i % options.burst !== options.burst - 1) return;
    await new Promise((r) => setImmediate(r));
    while (publisher.stats().buffered > options.maxBuffered) await new Promise((r) => setTimeout(r, 1));
  }
  try {
    // Soft: the flag check and the cost event.
    const softPublisher = createPublisher({ projectId, source: 'bench-guard-cost-soft', exitHook: false });
    // State changes to stderr: stdout is the bench's report.
    const throttle = await createThrottleReader({ projectId, firestore: db, onStateChange: (state) => process.stderr.write(`  throttle reader: ${state}\n`) }).ready();
    try {
      for (let i = 0; i < options.warmupCalls + options.calls; i++) {
        const t = process.hrtime.bigint();
        if (throttle.throttleLevel('AI_API_CALLS') !== 'blocked') softPublisher.recordAiUsage({ model: call.model, ...usageOf(i) });
        const soft = microsSince(t);
        if (i >= options.warmupCalls) result.soft.push(soft);
        if (i >= options.warmupCalls && afterTurn(i)) result.afterTurn.soft.push(soft);
        await pace(i, softPublisher);
      }
    } finally {
      await throttle.close();
      await softPublisher.close();
    }
    // Hard: reserve against the lease, settle with the real usage.
    const hardPublisher = createPublisher({ projectId, source: 'bench-guard-cost-hard', exitHook: false, ...(setup.attribution ? { attribution: setup.attribution } : {}) });
    const guard = await createSpendGuard({ publisher: hardPublisher, firestore: db, agent: 'bench-guard-cost', exitHook: false }).ready();
    try {
      for (let i = 0; i < options.warmupCalls + options.calls; i++) {
        const before = guard.stats().withRoundTrip;
        const t = process.hrtime.bigint();
        const reservation = await guard.reserve(call);
        const reserved = microsSince(t);
        reservation.settle(usageOf(i));
        const total = microsSince(t);
        if (guard.stats().withRoundTrip !== before) result.roundTrips += 1;
        else if (i >= options.warmupCalls) {
          result.hard.push(total);
          result.reserve.push(reserved);
          if (afterTurn(i)) result.afterTurn.hard.push(total);
        }
        await pace(i, hardPublisher);
      }
    } finally {
      await guard.close();
      await hardPublisher.close();
    }
  } finally {
    await db.terminate();
  }
  return result;
}
