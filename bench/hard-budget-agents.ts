/**
 * Agent processes for bench/budget-hard and the hard-budget tests: `node hard-budget-agents.js
 * '<json WorkerConfig>'` runs `agents` agents in this process (one Firestore client and one
 * publisher shared, a spend guard each), making calls as fast as they are allowed, and prints JSON
 * lines: `ready`, then per agent `done` with its stats; per-call added latencies (µs) go to a file.
 * With `hold`, each agent settles `calls` calls, flushes, reports `holding` and then keeps one
 * reservation open forever (the test kills the process there).
 */
import { writeFileSync } from 'node:fs';
import { Firestore } from '@google-cloud/firestore';
import type { LeasePolicy } from '../shared/budget/lease-policy';
import { HardBudgetExceededError } from '../shared/leasing/hard-budget-error';
import { createSpendGuard } from '../shared/leasing/spend-guard';
import { createPublisher } from '../shared/publisher/publisher';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { calculateAiCost } from '../shared/pricing/ai-cost';
import { PRICE_TABLE } from '../shared/pricing/price-data';

export interface WorkerConfig {
  projectId: string;
  agents: number;
  name: string;
  mode: 'hard' | 'soft';
  model: string;
  inputTokens: number;
  maxOutputTokens: number;
  /** Simulated model call time. */
  callMilliseconds: number;
  /** Stop after this many calls per agent (soft agents otherwise stop at `blocked`). */
  maxCalls: number;
  /** Hard agents stop after this many refusals in a row. */
  maxRefusals: number;
  hold?: boolean;
  /** Leave the guards to their exit hooks instead of closing them (the exit-hook test). */
  exitHook?: boolean;
  policy?: Partial<LeasePolicy>;
  /** Each agent's latencies go to `<reportPrefix>-<agent>.json` (too long for one output line). */
  reportPrefix: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const elapsedMicros = (start: bigint) => Number(process.hrtime.bigint() - start) / 1000;

/** Output tokens vary per call, deterministically, between a quarter of the cap and the cap. */
const outputTokensOf = (config: WorkerConfig, call: number) => Math.round(config.maxOutputTokens * (0.25 + 0.75 * (((call * 7919) % 101) / 100)));

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  const db = new Firestore({ projectId: config.projectId });
  const publisher = createPublisher({ projectId: config.projectId, source: config.name, exitHook: config.hold !== true });
  const throttle = config.mode === 'soft' ? await createThrottleReader({ projectId: config.projectId, firestore: db }).ready() : undefined;
  const guards = config.mode === 'hard'
    ? await Promise.all(Array.from({ length: config.agents }, (_, i) => createSpendGuard({ publisher, ...(config.exitHook ? { projectId: config.projectId } : { firestore: db }), agent: `${config.name}-${i}`, policy: config.policy, exitHook: config.exitHook === true }).ready()))
    : [];
  print({ type: 'ready' });

  async function hardAgent(index: number): Promise<void> {
    const guard = guards[index]!;
    const covered: number[] = [];
    const roundTrip: number[] = [];
    let spentMicros = 0;
    let refusals = 0;
    let lastRefusal = '';
    let errors = 0;
    let lastError = '';
    let calls = 0;
    while (calls < config.maxCalls && refusals < config.maxRefusals) {
      const before = guard.stats().withRoundTrip;
      const t0 = process.hrtime.bigint();
      let reservation;
      try {
        reservation = await guard.reserve({ model: config.model, inputTokens: config.inputTokens, maxOutputTokens: config.maxOutputTokens });
      } catch (error) {
        if (!(error instanceof HardBudgetExceededError)) {
          // Firestore gave up on a contended transaction (the emulator under load): a real agent
          // would retry the call later; so does this one, a few times, and reports it.
          errors += 1;
          lastError = (error as Error).message;
          if (errors > 20) throw error;
          await sleep(200);
          continue;
        }
        refusals += 1;
        lastRefusal = error.message;
        await sleep(config.policy?.refusalRecheckMilliseconds ?? 1_000);
        continue;
      }
      refusals = 0;
      let added = elapsedMicros(t0);
      await sleep(config.callMilliseconds);
      const t1 = process.hrtime.bigint();
      const settled = reservation.settle({ inputTokens: config.inputTokens, outputTokens: outputTokensOf(config, calls) });
      added += elapsedMicros(t1);
      spentMicros += settled.amountMicros;
      (guard.stats().withRoundTrip === before ? covered : roundTrip).push(added);
      calls += 1;
    }
    if (config.hold) {
      await publisher.flush();
      writeFileSync(`${config.reportPrefix}-${index}.json`, JSON.stringify({ covered, roundTrip }));
      print({ type: 'holding', agent: index, spentMicros, calls });
      await guard.reserve({ model: config.model, inputTokens: config.inputTokens, maxOutputTokens: config.maxOutputTokens });
      await new Promise(() => undefined);
    }
    if (!config.exitHook) await guard.close();
    writeFileSync(`${config.reportPrefix}-${index}.json`, JSON.stringify({ covered, roundTrip }));
    print({ type: 'done', agent: index, calls, spentMicros, lastRefusal, errors, lastError, stats: guard.stats() });
  }

  async function softAgent(index: number): Promise<void> {
    const reader = throttle!;
    const covered: number[] = [];
    let calls = 0;
    let spentMicros = 0;
    while (calls < config.maxCalls) {
      const t0 = process.hrtime.bigint();
      const blocked = reader.throttleLevel('AI_API_CALLS') === 'blocked';
      let added = elapsedMicros(t0);
      if (blocked) break;
      await sleep(config.callMilliseconds);
      const t1 = process.hrtime.bigint();
      const usage = { model: config.model, inputTokens: config.inputTokens, outputTokens: outputTokensOf(config, calls) };
      publisher.recordAiUsage(usage);
      added += elapsedMicros(t1);
      covered.push(added);
      // What the pipeline will record for it (same table, same day), outside the timed part.
      spentMicros += calculateAiCost(PRICE_TABLE, usage, new Date()).amountMicros;
      calls += 1;
    }
    writeFileSync(`${config.reportPrefix}-${index}.json`, JSON.stringify({ covered, roundTrip: [] }));
    print({ type: 'done', agent: index, calls, spentMicros });
  }

  await Promise.all(Array.from({ length: config.agents }, (_, i) => (config.mode === 'hard' ? hardAgent(i) : softAgent(i))));
  await publisher.close();
  await throttle?.close();
  await db.terminate();
  print({ type: 'exit', published: publisher.stats().published, failed: publisher.stats().failed, dropped: publisher.stats().dropped });
}

main().catch((error: unknown) => {
  process.stderr.write(`hard-budget-agents failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
