import { Firestore } from '@google-cloud/firestore';
import type { GoogleGenAI as GoogleGenAIType } from '@google/genai' with { 'resolution-mode': 'import' };
import { withScopedBudget } from '../../../shared/budget/budget-config';
import { windowOf } from '../../../shared/budget/budget-window';
import { priceCostEvent } from '../../../shared/budget/price-cost-event';
import type { ScopedBudgetInput } from '../../../shared/budget/scoped-budget';
import { scopedBudgetSchema } from '../../../shared/budget/scoped-budget';
import type { Attribution } from '../../../shared/contracts/attribution';
import type { CostEvent } from '../../../shared/contracts/cost-event';
import { governGenAI } from '../../../shared/genai';
import { loadGenAi } from '../../../shared/genai/genai-types';
import { HardBudgetExceededError } from '../../../shared/leasing/hard-budget-error';
import { createSpendGuard, type SpendGuard } from '../../../shared/leasing/spend-guard';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import { createPublisher, type GovernorPublisher } from '../../../shared/publisher/publisher';
import { commitLeaseChange, surveyAllowanceOf } from '../../../shared/store/allowance-store';
import { scopedAllowance } from '../../../shared/store/allowance-target';
import { updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { commitSpend } from '../../../shared/store/spend-shards';
import { GeminiServer, textAnswer, usageMetadata } from '../../support/gemini-server';
import { MemoryTransport } from '../../support/memory-transport';
import { testProjectId } from '../../support/test-stack';
import { shareUndiciDispatcher } from '../../support/undici-dispatcher';

const GRACE = 60_000;

/**
 * Hard budgets per scope instance and window, through the spend guard's leases on the Firestore
 * emulator: each instance has its own allowance, a window's end starts a fresh one, a refusal names
 * the budget, instance and window, and a crashed agent's scoped lease is reaped from the ledger.
 */
describe('SpendGuard with scoped hard budgets (Firestore emulator)', () => {
  let db: Firestore;
  let transport: MemoryTransport;
  let publishers: GovernorPublisher[];
  let guards: SpendGuard[];

  const agent = (source: string, options: { attribution?: Attribution; clock?: () => number; policy?: object; closeTimeoutMilliseconds?: number } = {}) => {
    const publisher = createPublisher({ projectId: 'demo-unused', transport, source, exitHook: false, batching: { maxMilliseconds: 1 }, ...(options.attribution ? { attribution: options.attribution } : {}) });
    publishers.push(publisher);
    const guard = createSpendGuard({ publisher, firestore: db, exitHook: false, agent: `${source}-guard`, policy: options.policy, closeTimeoutMilliseconds: options.closeTimeoutMilliseconds, ...(options.clock ? { clock: options.clock } : {}) });
    guards.push(guard);
    return guard.ready();
  };
  const setBudget = (budget: ScopedBudgetInput) => updateBudgetConfig(db, (c) => withScopedBudget(c, scopedBudgetSchema.parse(budget)));
  /** What the instance's allowance charged (settled + reaped) and still has leased, in its window at `at`. */
  const allowance = async (budget: ScopedBudgetInput, instance: string, at = new Date()) => {
    const b = scopedBudgetSchema.parse(budget);
    const survey = await surveyAllowanceOf(db, scopedAllowance(b, instance, windowOf(b.window, b.timezone, at)), b.amountMicros, at.getTime(), GRACE);
    return { chargedMicros: survey.reduce((n, s) => n + s.spentMicros, 0), leases: survey.reduce((n, s) => n + s.leases, 0) };
  };
  /** Reserves and settles calls of `micros` until the first refusal; returns what was settled and the refusal. */
  const spendUntilRefused = async (guard: SpendGuard, micros: number, input: { attribution?: Attribution } = {}) => {
    let spent = 0;
    for (;;) {
      const r = await guard.reserve({ estimateMicros: micros, ...input }).catch((e: unknown) => e);
      if (r instanceof HardBudgetExceededError) return { spent, refusal: r };
      if (r instanceof Error) throw r;
      spent += (r as Awaited<ReturnType<SpendGuard['reserve']>>).settle({ amountMicros: micros }).amountMicros;
    }
  };

  beforeEach(() => {
    db = new Firestore({ projectId: testProjectId() });
    transport = new MemoryTransport();
    publishers = [];
    guards = [];
  });
  afterEach(async () => {
    await Promise.allSettled(guards.map((g) => g.close()));
    await Promise.allSettled(publishers.map((p) => p.close()));
    await db.terminate();
  });

  it('gives every agent of an agent:* daily budget its own allowance: the looping one is refused alone', async () => {
    const budget = { id: 'agent-day', scope: 'agent:*', window: 'day', amountMicros: 80_000, mode: 'hard' } as const;
    await setBudget(budget);
    const looper = await agent('looper');
    const neighbour = await agent('neighbour');
    const { spent, refusal } = await spendUntilRefused(looper, 1_000);
    // The stated bound per instance: its budget (no call above its estimate, so no overdraft).
    expect(spent).toBeLessThanOrEqual(80_000);
    expect(spent).toBeGreaterThan(80_000 - 8 * 1_000);
    expect(looper.stats()).toMatchObject({ overdraftMicros: 0 });
    const today = windowOf('day', 'UTC', new Date()).id;
    expect(refusal.details).toMatchObject({ budget: 'agent-day', scope: 'agent:looper', window: 'day', periodId: today, budgetMicros: 80_000 });
    expect(refusal.message).toMatch(new RegExp(`^hard budget agent-day \\(agent:looper, day ${today}\\) refused a call estimated at \\$0\\.001000: `));
    // The neighbour's own allowance is untouched.
    for (let i = 0; i < 20; i++) (await neighbour.reserve({ estimateMicros: 1_000 })).settle({ amountMicros: 1_000 });
    await Promise.all(guards.map((g) => g.close()));
    expect(await allowance(budget, 'agent:looper')).toEqual({ chargedMicros: spent, leases: 0 });
    expect(await allowance(budget, 'agent:neighbour')).toEqual({ chargedMicros: 20_000, leases: 0 });
  });

  it('caps the sum of a team under a team:* budget, whichever of its agents spends', async () => {
    const budget = { id: 'team-day', scope: 'team:*', window: 'day', amountMicros: 120_000, mode: 'hard' } as const;
    await setBudget(budget);
    const [a, b, other] = await Promise.all([agent('search-1', { attribution: { team: 'search' } }), agent('search-2', { attribution: { team: 'search' } }), agent('archive-1', { attribution: { team: 'archive' } })]);
    const [first, second] = await Promise.all([spendUntilRefused(a, 2_000), spendUntilRefused(b, 2_000)]);
    const sum = first.spent + second.spent;
    expect(sum).toBeLessThanOrEqual(120_000);
    expect(sum).toBeGreaterThan(120_000 - 8 * 2_000);
    expect([first.refusal.details.scope, second.refusal.details.scope]).toEqual(['team:search', 'team:search']);
    // Another team, and a call of a search agent attributed to another team, are not held back.
    (await other.reserve({ estimateMicros: 2_000 })).settle({ amountMicros: 2_000 });
    (await a.reserve({ estimateMicros: 2_000, attribution: { team: 'archive' } })).settle({ amountMicros: 2_000 });
    await Promise.all(guards.map((g) => g.close()));
    expect(await allowance(budget, 'team:search')).toEqual({ chargedMicros: sum, leases: 0 });
    expect(await allowance(budget, 'team:archive')).toEqual({ chargedMicros: 4_000, leases: 0 });
  }, 60_000);

  it('starts a new window with fresh allowance, in the budget time zone', async () => {
    const budget = { id: 'agent-hour', scope: 'agent:*', window: 'hour', timezone: 'Asia/Kolkata', amountMicros: 40_000, mode: 'hard' } as const;
    await setBudget(budget);
    // Five seconds before the end of an hour in UTC+05:30 (wall time 14:59:55 there).
    let now = Date.UTC(2026, 11, 7, 9, 29, 55);
    const guard = await agent('hourly', { clock: () => now });
    const first = await spendUntilRefused(guard, 4_000);
    expect(first.refusal.details).toMatchObject({ scope: 'agent:hourly', window: 'hour', periodId: '2026-12-07T14+0530' });
    now = Date.UTC(2026, 11, 7, 9, 30, 0);
    const second = await spendUntilRefused(guard, 4_000);
    expect(second.refusal.details.periodId).toBe('2026-12-07T15+0530');
    for (const spent of [first.spent, second.spent]) {
      expect(spent).toBeLessThanOrEqual(40_000);
      expect(spent).toBeGreaterThan(40_000 - 8 * 4_000);
    }
    await guard.close();
    expect(await allowance(budget, 'agent:hourly', new Date(Date.UTC(2026, 11, 7, 9, 29, 55)))).toEqual({ chargedMicros: first.spent, leases: 0 });
    expect(await allowance(budget, 'agent:hourly', new Date(now))).toEqual({ chargedMicros: second.spent, leases: 0 });
  });

  it('reaps a crashed agent’s scoped lease, charging only its ledger entries that count under the instance', async () => {
    const budget = { id: 'search-ai', scope: 'team:search', category: 'AI_API_CALLS', window: 'day', amountMicros: 10_000_000, mode: 'hard' } as const;
    await setBudget(budget);
    const policy = { leaseTtlMilliseconds: 1_000, expiryMarginMilliseconds: 200, reapGraceMilliseconds: 500 };
    const crashed = await agent('crasher', { attribution: { team: 'search' }, policy, closeTimeoutMilliseconds: 0 });
    for (let i = 0; i < 3; i++) (await crashed.reserve({ estimateMicros: 10_000 })).settle({ amountMicros: 7_000 });
    // Same session, not this instance's: another team's call, and another category.
    (await crashed.reserve({ estimateMicros: 10_000, attribution: { team: 'archive' } })).settle({ amountMicros: 3_000 });
    (await crashed.reserve({ category: 'STORAGE', estimateMicros: 10_000 })).settle({ amountMicros: 2_000 });
    await crashed.reserve({ estimateMicros: 10_000 }); // in flight when it "crashes": never settled
    await publishers[0]!.flush();
    // What spend-aggregator does with the published events: ledger entries (with the events).
    const events = transport.requests.flatMap((r) => r.events) as CostEvent[];
    expect(events).toHaveLength(5);
    await commitSpend(db, events.map((e) => priceCostEvent(e, PRICE_TABLE, new Date())));
    guards.splice(guards.indexOf(crashed), 1); // never closed: it crashed (its leases stay behind)

    const b = scopedBudgetSchema.parse(budget);
    const target = scopedAllowance(b, 'team:search', windowOf('day', 'UTC', new Date()));
    const held = (await surveyAllowanceOf(db, target, b.amountMicros, Date.now(), 500)).sort((x, y) => y.outstandingMicros - x.outstandingMicros)[0]!;
    expect(held.leases).toBe(1);
    await new Promise((r) => setTimeout(r, 1_600));
    const result = await commitLeaseChange(db, { target, shard: held.shard, budgetMicros: b.amountMicros, nowMillis: Date.now(), reapGraceMilliseconds: 500 });
    expect(result.reaped).toBe(1);
    expect(await allowance(budget, 'team:search')).toEqual({ chargedMicros: 21_000, leases: 0 });
    await crashed.close(); // its timers (a crashed process has none left)
  });

  it('refuses a governed Gemini call over a model: hard budget, naming the budget to the caller', async () => {
    await shareUndiciDispatcher();
    const server = await new GeminiServer(() => ({ kind: 'json', body: textAnswer('ok', usageMetadata({ prompt: 10, candidates: 2 })) })).start();
    try {
      await setBudget({ id: 'flash-day', scope: 'model:gemini-2.5-flash', window: 'day', amountMicros: 8_000, mode: 'hard' });
      const guard = await agent('gemini-user');
      const { GoogleGenAI } = loadGenAi();
      const ai: GoogleGenAIType = governGenAI(new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } }), { publisher: publishers[0]!, spendGuard: guard });
      // A call estimated far above a shard's eighth of $0.008: refused before it is sent.
      const refusal = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'write', config: { maxOutputTokens: 4_000 } }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(HardBudgetExceededError);
      expect((refusal as HardBudgetExceededError).message).toMatch(/^hard budget flash-day \(model:gemini-2\.5-flash, day \d{4}-\d\d-\d\d\) refused/);
      expect(server.requests).toHaveLength(0);
      // Another model is outside the budget's scope.
      expect((await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'write', config: { maxOutputTokens: 4_000 } })).text).toBe('ok');
    } finally {
      await server.close();
    }
  });
});
