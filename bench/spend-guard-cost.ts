/**
 * What a covered hard-budget call costs the agent, alone in one process: `reserve()` against a
 * lease that covers it, then `settle()`, next to the soft path (throttle flag check, then the cost
 * event) in the same loop. In the fleet runs of bench/budget-hard, dozens of agents share a process
 * and two cores with the emulators, so a call's measured time is mostly other agents' turns on the
 * event loop and the scheduler; this run separates the guard's own share.
 */
import { Firestore } from '@google-cloud/firestore';
import { withBudget } from '../shared/budget/budget-config';
import { createSpendGuard } from '../shared/leasing/spend-guard';
import { createPublisher } from '../shared/publisher/publisher';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { updateBudgetConfig } from '../shared/store/budget-config-store';
import { provisionTopics } from '../bin/stack/provision';
import { loadTopology } from '../shared/topology/topology';
import { microsSince } from './bench-support';

export interface GuardCost {
  /** reserve (covered) + settle, µs per call. */
  hard: number[];
  /** flag check + cost event, µs per call. */
  soft: number[];
  /** Calls of the hard loop that needed a lease round trip (not in `hard`). */
  roundTrips: number;
}

const COST_DEFAULTS = {
  calls: Number(process.env.BENCH_GUARD_CALLS ?? 50_000),
  warmupCalls: 5_000,
  // A budget large enough that leases, not the limit, decide when a round trip happens.
  budgetMicros: 1_000_000_000_000,
  // The loop yields to the event loop this often and waits while the publisher's buffer fills,
  // as a busy agent would (otherwise the run measures the publisher's overflow path).
  burst: 100,
  maxBuffered: 2_000,
};

export async function measureGuardCost(projectId: string, call: { model: string; inputTokens: number; maxOutputTokens: number }): Promise<GuardCost> {
  const options = COST_DEFAULTS;
  await provisionTopics({ projectId, pubsubHost: process.env.PUBSUB_EMULATOR_HOST!, topology: loadTopology({}) });
  const db = new Firestore({ projectId });
  await updateBudgetConfig(db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', options.budgetMicros), budgetMode: { AI_API_CALLS: 'hard' as const } }));
  const publisher = createPublisher({ projectId, source: 'bench-guard-cost', exitHook: false });
  const guard = await createSpendGuard({ publisher, firestore: db, agent: 'bench-guard-cost', exitHook: false }).ready();
  const throttle = await createThrottleReader({ projectId, firestore: db }).ready();
  const result: GuardCost = { hard: [], soft: [], roundTrips: 0 };
  try {
    for (let i = 0; i < options.warmupCalls + options.calls; i++) {
      const usage = { inputTokens: call.inputTokens, outputTokens: 75 + (i % 226) };
      // Hard: reserve against the lease, settle with the real usage.
      const before = guard.stats().withRoundTrip;
      let t = process.hrtime.bigint();
      const reservation = await guard.reserve(call);
      reservation.settle(usage);
      const hard = microsSince(t);
      if (guard.stats().withRoundTrip !== before) result.roundTrips += 1;
      else if (i >= options.warmupCalls) result.hard.push(hard);
      // Soft: the flag check and the cost event.
      t = process.hrtime.bigint();
      if (throttle.throttleLevel('AI_API_CALLS') !== 'blocked') publisher.recordAiUsage({ model: call.model, ...usage });
      if (i >= options.warmupCalls) result.soft.push(microsSince(t));
      if (i % options.burst === options.burst - 1) {
        await new Promise((r) => setImmediate(r));
        while (publisher.stats().buffered > options.maxBuffered) await new Promise((r) => setTimeout(r, 1));
      }
    }
  } finally {
    await guard.close();
    await throttle.close();
    await publisher.close();
    await db.terminate();
  }
  return result;
}
