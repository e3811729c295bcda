import { Firestore } from '@google-cloud/firestore';
import { withBudget } from '../../../shared/budget/budget-config';
import { periodOf } from '../../../shared/basics/period';
import { priceCostEvent } from '../../../shared/budget/price-cost-event';
import type { CostEvent } from '../../../shared/contracts/cost-event';
import { newEventId } from '../../../shared/contracts/event-id';
import { HardBudgetExceededError } from '../../../shared/leasing/hard-budget-error';
import { createSpendGuard, type SpendGuard } from '../../../shared/leasing/spend-guard';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import { createPublisher, type GovernorPublisher } from '../../../shared/publisher/publisher';
import { allowanceShardRef, ALLOWANCE_DEFAULTS, commitLeaseChange, surveyAllowance } from '../../../shared/store/allowance-store';
import { fleetAllowance } from '../../../shared/store/allowance-target';
import { updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { commitSpend } from '../../../shared/store/spend-shards';
import { MemoryTransport } from '../../support/memory-transport';
import { testProjectId } from '../../support/test-stack';

const period = () => periodOf(new Date()).id;

/** Sets a hard AI_API_CALLS budget in a fresh project. */
async function hardBudget(db: Firestore, micros: number): Promise<void> {
  await updateBudgetConfig(db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', micros), budgetMode: { AI_API_CALLS: 'hard' } }));
}

async function shards(db: Firestore) {
  const snapshots = await db.getAll(...Array.from({ length: ALLOWANCE_DEFAULTS.shardCount }, (_, i) => allowanceShardRef(db, period(), 'AI_API_CALLS', i)));
  return snapshots.filter((s) => s.exists).map((s) => ({ shard: s.get('shard') as number, spentMicros: s.get('spentMicros') as number, leases: Object.keys((s.get('leases') as object) ?? {}).length }));
}

describe('SpendGuard (Firestore emulator)', () => {
  let db: Firestore;
  let transport: MemoryTransport;
  let publisher: GovernorPublisher;
  let guards: SpendGuard[];
  /** Guards a test treats as crashed: closed only after the test, so their timers do not outlive it. */
  let abandoned: SpendGuard[];
  const guard = (policy = {}) => {
    const g = createSpendGuard({ publisher, firestore: db, exitHook: false, agent: `agent-${guards.length}`, policy });
    guards.push(g);
    return g.ready();
  };

  beforeEach(() => {
    db = new Firestore({ projectId: testProjectId() });
    transport = new MemoryTransport();
    publisher = createPublisher({ projectId: 'demo-unused', transport, exitHook: false, batching: { maxMilliseconds: 1 } });
    guards = [];
    abandoned = [];
  });
  afterEach(async () => {
    await Promise.allSettled(guards.map((g) => g.close()));
    // A crashed agent's process would be gone; here its config-refresh timer would go on firing
    // against this test's terminated client, in whatever suite runs next in the worker.
    await Promise.allSettled(abandoned.map((g) => g.close()));
    await publisher.close();
    await db.terminate();
  });

  describe('reserve', () => {
    it('covers calls locally after one lease and records each settled call once, under its session id', async () => {
      await hardBudget(db, 10_000_000);
      const g = await guard();
      const settled = [];
      for (let i = 0; i < 20; i++) settled.push((await g.reserve({ estimateMicros: 1_000 })).settle({ amountMicros: 900 }));
      const stats = g.stats();
      // The first lease has room for 8 calls; the next is sized from the spend rate seen since.
      expect(stats).toMatchObject({ reservations: 20, withRoundTrip: 2, coveredLocally: 18, leasesGranted: 2, leasesReturned: 1 });
      await publisher.flush();
      const events = transport.requests.flatMap((r) => r.events) as CostEvent[];
      expect(events.map((e) => e.eventId)).toEqual(settled.map((s) => s.eventId));
      expect(new Set(events.map((e) => e.eventId.slice(0, 20))).size).toBe(1);
      expect(events.every((e) => e.payload.amountMicros === 900 && e.payload.category === 'AI_API_CALLS')).toBe(true);
      await g.close();
      // The leases were returned: their grants gave way to the 20 × 900 settled against them.
      expect(await shards(db)).toEqual([expect.objectContaining({ spentMicros: 18_000, leases: 0 })]);
    });

    it('estimates from the price table with the max output, and settles with the real usage', async () => {
      await hardBudget(db, 10_000_000);
      const g = await guard();
      const reservation = await g.reserve({ model: 'gemini-2.5-flash', inputTokens: 1_000, maxOutputTokens: 300 });
      expect(reservation.estimateMicros).toBe(300 + 750);
      const settlement = reservation.settle({ inputTokens: 1_000, outputTokens: 100 });
      expect(settlement).toMatchObject({ amountMicros: 300 + 250, estimateMicros: 1_050, accepted: true });
      expect(() => reservation.settle({ inputTokens: 1, outputTokens: 1 })).toThrow(/already settled/);
      await publisher.flush();
      const [event] = transport.requests.flatMap((r) => r.events) as CostEvent[];
      expect(event?.payload.usage).toEqual({ model: 'gemini-2.5-flash', inputTokens: 1_000, outputTokens: 100 });
      expect(priceCostEvent(event!, PRICE_TABLE, new Date()).amountMicros).toBe(settlement.amountMicros);
    });

    it('passes calls in soft budgets through without leasing', async () => {
      await updateBudgetConfig(db, (c) => withBudget(c, 'AI_API_CALLS', 1));
      const g = await guard();
      (await g.reserve({ estimateMicros: 5_000_000 })).settle({ amountMicros: 5_000_000 });
      expect(g.stats()).toMatchObject({ reservations: 1, coveredLocally: 1, firestoreRequests: 0 });
      expect(await shards(db)).toEqual([]);
    });

    it('refuses a call whose estimate does not fit, naming the budget and what is left', async () => {
      await hardBudget(db, 80_000); // 10,000 µUSD per shard
      const g = await guard();
      for (let i = 0; i < 8; i++) (await g.reserve({ estimateMicros: 6_000 })).settle({ amountMicros: 6_000 });
      const refusal = await g.reserve({ estimateMicros: 6_000 }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(HardBudgetExceededError);
      expect((refusal as Error).message).toBe(
        `hard budget AI_API_CALLS (${period()}) refused a call estimated at $0.006000: $0.03 left of $0.08, $0.00 leased to running agents; no single shard has that much free (largest $0.004000)`,
      );
      // Within the recheck interval the same refusal comes without a round trip; a call that fits still goes.
      const requests = g.stats().firestoreRequests;
      await expect(g.reserve({ estimateMicros: 6_000 })).rejects.toThrow(HardBudgetExceededError);
      expect(g.stats().firestoreRequests).toBe(requests);
      (await g.reserve({ estimateMicros: 4_000 })).release();
      expect(g.stats()).toMatchObject({ refused: 2 });
    });

    it('leases from the category budget and the total when both are hard', async () => {
      await updateBudgetConfig(db, (c) => ({ ...withBudget(withBudget(c, 'AI_API_CALLS', 8_000_000), 'TOTAL', 9_000_000), budgetMode: { AI_API_CALLS: 'hard', TOTAL: 'hard' } }));
      const g = await guard();
      for (let i = 0; i < 5; i++) (await g.reserve({ estimateMicros: 2_000 })).settle({ amountMicros: 1_500 });
      (await g.reserve({ category: 'STORAGE', estimateMicros: 2_000 })).settle({ amountMicros: 1_000 });
      await g.close();
      const charged = async (key: 'AI_API_CALLS' | 'TOTAL', budget: number) => (await surveyAllowance(db, period(), key, budget, Date.now(), 60_000)).reduce((n, s) => n + s.spentMicros + s.outstandingMicros, 0);
      expect(await charged('AI_API_CALLS', 8_000_000)).toBe(7_500);
      expect(await charged('TOTAL', 9_000_000)).toBe(8_500);
    });

    it('drains a lease whose calls are still running when the next lease is needed, and charges both exactly', async () => {
      await hardBudget(db, 10_000_000);
      const g = await guard({ initialCalls: 3 });
      // 30 calls in flight at once from one agent: each new lease is needed while the last one's calls still run.
      const reservations = await Promise.all(Array.from({ length: 30 }, () => g.reserve({ estimateMicros: 1_000 })));
      expect(g.stats().leasesGranted).toBeGreaterThan(1);
      reservations.slice(0, 10).forEach((r) => r.release());
      reservations.slice(10).forEach((r) => r.settle({ amountMicros: 400 }));
      await g.close();
      const stored = await shards(db);
      expect(stored.reduce((n, s) => n + s.spentMicros, 0)).toBe(20 * 400);
      expect(stored.every((s) => s.leases === 0)).toBe(true);
      expect(g.stats().leasesReturned).toBe(g.stats().leasesGranted);
    });

    it('never lets concurrent agents lease more than the budget', async () => {
      await hardBudget(db, 200_000);
      const agents = await Promise.all(Array.from({ length: 6 }, () => guard()));
      let spent = 0;
      await Promise.all(
        agents.map(async (g) => {
          for (let refusals = 0; refusals < 2; ) {
            const r = await g.reserve({ estimateMicros: 1_000 }).catch((e: unknown) => (e instanceof HardBudgetExceededError ? undefined : Promise.reject(e)));
            if (!r) {
              refusals += 1;
              await new Promise((resolve) => setTimeout(resolve, 1_100));
              continue;
            }
            spent += r.settle({ amountMicros: 1_000 }).amountMicros;
          }
        }),
      );
      await Promise.all(agents.map((g) => g.close()));
      const stored = await shards(db);
      expect(stored.reduce((n, s) => n + s.spentMicros, 0)).toBe(spent);
      expect(stored.every((s) => s.leases === 0)).toBe(true);
      expect(spent).toBeLessThanOrEqual(200_000);
      // Every shard ran out to less than one call's estimate.
      expect(spent).toBeGreaterThan(200_000 - 8 * 1_000);
    }, 60_000);
  });

  describe('a crowd on one shard', () => {
    it('lets a hundred grants at once all finish, each granted or refused by the ledger, none lost or doubled', async () => {
      await hardBudget(db, 10_000_000);
      const share = 1_250_000;
      const now = Date.now();
      const grant = (i: number) =>
        commitLeaseChange(db, {
          target: fleetAllowance(period(), 'AI_API_CALLS', periodOf(new Date()).end.getTime()),
          shard: 3,
          budgetMicros: 10_000_000,
          nowMillis: now,
          reapGraceMilliseconds: 60_000,
          grant: { leaseId: `crowd-${i}`, lease: { expiresAtMillis: now + 30_000, agent: `crowd-${i}`, session: `S${i}`, seqFrom: 0 }, minimumMicros: 20_000, desiredMicros: 40_000, maxShareOfAvailable: 0.5 },
        });
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => grant(i)));
      const granted = results.filter((r) => r.grantedMicros !== undefined);
      // With nothing written between read and write, the crowd collided: those rounds were re-read.
      expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
      const [after] = (await surveyAllowance(db, period(), 'AI_API_CALLS', 10_000_000, Date.now(), 60_000)).filter((s) => s.shard === 3);
      expect(after!.leases).toBe(granted.length);
      expect(after!.outstandingMicros).toBe(granted.reduce((n, r) => n + r.grantedMicros!, 0));
      expect(after!.outstandingMicros).toBeLessThanOrEqual(share);
      // Leases shrink as the shard fills (half of what is free at most), down to the minimum and then refusals.
      expect(granted.length).toBeGreaterThan(1_250_000 / 40_000);
      expect(results.some((r) => r.grantedMicros === undefined)).toBe(true);
    }, 150_000); // a hundred contending grants: slow by design, slower on a loaded CI machine
  });

  describe('a crashed agent', () => {
    it('has its lease reaped after expiry and grace, charged only what the ledger recorded for it', async () => {
      await hardBudget(db, 10_000_000);
      const policy = { leaseTtlMilliseconds: 1_000, expiryMarginMilliseconds: 200, reapGraceMilliseconds: 500 };
      const crashed = await guard(policy);
      for (let i = 0; i < 3; i++) (await crashed.reserve({ estimateMicros: 10_000 })).settle({ amountMicros: 7_000 });
      await crashed.reserve({ estimateMicros: 10_000 }); // in flight when it "crashes": never settled
      await publisher.flush();
      // What spend-aggregator does with the published events: ledger entries and spend shards.
      const events = transport.requests.flatMap((r) => r.events) as CostEvent[];
      await commitSpend(db, events.map((e) => priceCostEvent(e, PRICE_TABLE, new Date())));
      // Another agent's event in the ledger, outside the crashed agent's session range (written
      // straight to the ledger: a second guard could lease on the same shard and be charged there).
      const first = events[0]!;
      await commitSpend(db, [priceCostEvent({ ...first, eventId: newEventId(), payload: { category: 'AI_API_CALLS', amountMicros: 10 } } as CostEvent, PRICE_TABLE, new Date())]);
      guards.splice(guards.indexOf(crashed), 1); // never closed during the test: it crashed
      abandoned.push(crashed);

      const survey = await surveyAllowance(db, period(), 'AI_API_CALLS', 10_000_000, Date.now(), 500);
      const held = survey.sort((a, b) => b.outstandingMicros - a.outstandingMicros)[0]!;
      expect(held.outstandingMicros).toBeGreaterThan(30_000);
      const before = held;
      await new Promise((r) => setTimeout(r, 1_600));
      const result = await commitLeaseChange(db, { target: fleetAllowance(period(), 'AI_API_CALLS', periodOf(new Date()).end.getTime()), shard: held.shard, budgetMicros: 10_000_000, nowMillis: Date.now(), reapGraceMilliseconds: 500 });
      expect(result.reaped).toBe(1);
      const after = (await surveyAllowance(db, period(), 'AI_API_CALLS', 10_000_000, Date.now(), 500))[held.shard]!;
      // The three settled calls count once; the unspent rest (and the unsettled reservation) returned.
      expect(after.spentMicros).toBe(21_000);
      expect(after.outstandingMicros).toBeLessThan(before.outstandingMicros - 30_000);
      expect(after.availableMicros).toBe(1_250_000 - 21_000 - after.outstandingMicros);
      expect(result.availableMicros).toBe(after.availableMicros);
    });
  });

  describe('options', () => {
    it('refuses bad options with the field named', () => {
      expect(() => createSpendGuard({ publisher, firestore: db, policy: { maxShareOfAvailable: 2 } })).toThrow(/policy.maxShareOfAvailable/);
      expect(() => createSpendGuard({ publisher: undefined as never, firestore: db })).toThrow(/publisher/);
      expect(() => createSpendGuard({ publisher, firestore: db, agent: 'bad agent!' })).toThrow(/agent/);
    });
  });
});
