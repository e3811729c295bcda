/**
 * bench/ladder-plan — P9's ladder share: what `reader.plan({ category, model })` costs an agent
 * whose scopes hold ladder steps (its agent, team, tenant, two tags and a model scope, a shadow
 * budget among them), answered from the listener's memory. Timed beside `throttleLevel()` (the
 * answer every governed call already asks for) and a bare loop building the same answer object,
 * in the same run, alternating phases.
 */
import { Firestore } from '@google-cloud/firestore';
import { startEmulator } from '../bin/stack/emulators';
import { freePort } from '../bin/stack/ports';
import { parseBudgetConfig } from '../shared/budget/budget-config';
import { windowOf } from '../shared/budget/budget-window';
import { ladderSchema, ladderStepAt } from '../shared/budget/degrade-ladder';
import { loadBudgetConfig, updateBudgetConfig } from '../shared/store/budget-config-store';
import { applyScopeFlags } from '../shared/store/scope-flags-store';
import { createThrottleReader } from '../shared/throttle/throttle-reader';
import { fixed, microsSince, percentile, table } from './bench-support';

const CALLS = Number(process.env.BENCH_LADDER_CALLS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_LADDER_ROUNDS ?? 3);
const WARMUP = 20_000;
const LADDER = ladderSchema.parse({ steps: [{ at: 0.5, action: 'prefer-cache' }, { at: 0.8, action: 'downgrade' }, { at: 0.95, action: 'cache-only' }] });
const CALL = { category: 'AI_API_CALLS', model: 'gemini-2.5-pro' } as const;

function phase(call: () => unknown): number[] {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const t = process.hrtime.bigint();
    call();
    const micros = microsSince(t);
    if (i >= WARMUP) samples.push(micros);
  }
  return samples;
}

async function main(): Promise<void> {
  process.stderr.write('bench/ladder-plan: measuring…\n');
  const firestore = await startEmulator('firestore', { port: await freePort() });
  process.env.METADATA_SERVER_DETECTION = 'none';
  process.env.FIRESTORE_EMULATOR_HOST = firestore.hostPort;
  const projectId = 'demo-bench-ladder';
  const rows: string[][] = [];
  try {
    const db = new Firestore({ projectId });
    await updateBudgetConfig(db, (c) => parseBudgetConfig({ ...c, scoped: [] }));
    const { version } = await loadBudgetConfig(db);
    const now = new Date();
    const scopes = ['agent:bench-agent', 'team:search', 'tenant:acme', 'tag:nightly', 'tag:batch', 'model:gemini-2.5-pro'];
    await Promise.all(
      scopes.map((scope, i) => {
        const window = windowOf('day', 'UTC', now);
        const ratio = 0.55 + i * 0.08;
        const flag = { level: 'none' as const, budgetId: `b${i}`, windowId: window.id, windowEnd: window.end.getTime(), ratio, spentMicros: Math.round(ratio * 1e6), budgetMicros: 1_000_000, setAt: now.toISOString(), step: ladderStepAt(LADDER, ratio, i === 3) ?? null, shadow: false };
        return applyScopeFlags(db, scope, { [flag.budgetId]: flag }, version, now.getTime());
      }),
    );
    const reader = await createThrottleReader({ projectId, firestore: db, source: 'bench-agent', attribution: { team: 'search', tenant: 'acme', tags: ['nightly', 'batch'] }, onStateChange: () => undefined }).ready();
    const answer = reader.plan(CALL);
    process.stderr.write(`  plan: ${JSON.stringify(answer)}\n`);
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const bare = phase(() => ({ model: CALL.model, cacheOnly: false, preferCache: true, blocked: false, reason: `budget b5 (${CALL.model})` }));
        const level = phase(() => reader.throttleLevel(CALL.category, { model: CALL.model }));
        const plan = phase(() => reader.plan(CALL));
        const pair = (s: number[]) => `${fixed(percentile(s, 50), 2)} / ${fixed(percentile(s, 99), 2)}`;
        rows.push([String(round), pair(bare), pair(level), pair(plan), fixed(percentile(plan, 99) / Math.max(0.01, percentile(level, 99)), 2)]);
      }
    } finally {
      await reader.close();
      await db.terminate();
    }
  } finally {
    await firestore.stop();
  }
  process.stdout.write(
    [
      `bench/ladder-plan — P9 (ladder share), this run (${new Date().toISOString()}): ${CALLS} answers per phase after ${WARMUP} warm-up; 6 flagged scopes with ladder steps (one shadow), a live listener`,
      '',
      table([['round', 'bare object µs p50 / p99', 'throttleLevel() p50 / p99', 'plan() p50 / p99 (target p99 ≤ 50)', 'plan ÷ throttleLevel p99'], ...rows]),
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
