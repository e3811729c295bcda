import { ulid } from 'ulid';
import { withBudget } from '../../shared/budget/budget-config';
import { periodOf } from '../../shared/basics/period';
import { createPublisher } from '../../shared/publisher/publisher';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { COLLECTIONS } from '../../shared/basics/collections';
import { readFlags } from '../../shared/store/throttle-flags-store';
import { countedEvents, probeAlerts, readSpendTotals, waitForCounted } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const period = () => periodOf(new Date()).id;

describe('spend-aggregator exactness (R1–R3)', () => {
  describe('50 concurrent publishers, every event delivered three times', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { LOG_LEVEL: 'debug' } });
    });
    afterAll(async () => stack?.close());

    it('counts each event once, exact to the micro-dollar, and raises each threshold alert once', async () => {
      await updateBudgetConfig(stack.db, (c) => withBudget(c, 'AI_API_CALLS', 10_000_000));
      const alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
      const publishers = Array.from({ length: 50 }, (_, i) => createPublisher({ projectId: stack.projectId, source: `agent-${i}`, exitHook: false }));
      // 50 × 4 events of 61,725 µUSD = $12.345 against a $10 budget: crosses 80, 95 and 100 %.
      for (const publisher of publishers) {
        for (let e = 0; e < 4; e++) {
          const eventId = ulid();
          for (let copy = 0; copy < 3; copy++) publisher.emit({ type: 'cost', eventId, payload: { category: 'AI_API_CALLS', amountMicros: 61_725 } });
        }
      }
      const stats = await Promise.all(publishers.map((p) => p.close()));
      expect(stats.reduce((n, s) => n + s.published, 0)).toBe(600);

      await waitForCounted(stack.db, period(), 200);
      // Every copy arrives and is recognised: the ledger and the shards agree, later copies add nothing.
      await waitFor(async () => stack.logs.filter((l) => l.includes('"duplicate":true')).length, (n) => n >= 400, 60_000, 'all duplicate deliveries');
      const totals = await readSpendTotals(stack.db, period());
      expect(totals.AI_API_CALLS).toBe(12_345_000);
      expect(totals.TOTAL).toBe(12_345_000);
      expect(await countedEvents(stack.db, period())).toMatchObject({ shardEvents: 200, ledgerEntries: 200 });

      const p = period();
      const expected = [`budget_AI_API_CALLS_${p}_80`, `budget_AI_API_CALLS_${p}_95`, `budget_AI_API_CALLS_${p}_100`];
      await waitFor(async () => alerts.counts.size, (n) => n >= 3, 20_000, 'three alerts');
      await new Promise((r) => setTimeout(r, 1500));
      expect([...alerts.counts.keys()].sort()).toEqual(expected.sort());
      expect([...alerts.counts.values()]).toEqual([1, 1, 1]);
      const stored = await stack.db.collection(COLLECTIONS.budgetAlerts).where('period', '==', p).get();
      expect(stored.docs.map((d) => d.id).sort()).toEqual(expected.sort());
      expect(stored.docs.every((d) => d.get('published') === true)).toBe(true);
      expect((await readFlags(stack.db, p)).budgets.AI_API_CALLS?.level).toBe('blocked');
      await alerts.close();
    }, 150_000);
  });

  describe('20 % of handler calls failing (fault injection)', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_FAULT_RATE: '0.2' } });
    });
    afterAll(async () => stack?.close());

    it('stays exact after retries: every event counted once or dead-lettered after its attempts, never twice', async () => {
      const publisher = createPublisher({ projectId: stack.projectId, source: 'faulty', exitHook: false });
      const amounts = new Map<string, number>();
      for (let i = 0; i < 200; i++) amounts.set(publisher.recordCost({ category: 'COMPUTE', amountMicros: 1000 + i }).eventId, 1000 + i);
      await publisher.close();

      const deadLetters = stack.collectDeadLetters(stack.topology.functions[0]!.subscription.deadLetterTopic);
      const deadLettered = () => new Set(deadLetters.messages.map((m) => m.attributes.eventId ?? ''));
      // Five attempts at 20 % failure each: an event is dead-lettered with probability 0.2⁵ = 0.03 %.
      // (One that failed after its commit on the last attempt is both counted and dead-lettered.)
      const ledgerIds = async () => (await stack.db.collection(COLLECTIONS.costEvents).where('period', '==', period()).select().get()).docs.map((d) => d.id);
      const counted = await waitFor(
        ledgerIds,
        (ids) => [...amounts.keys()].every((id) => ids.includes(id) || deadLettered().has(id)),
        90_000,
        'every event counted or dead-lettered',
      );
      await deadLetters.close();
      const expected = counted.reduce((n, id) => n + (amounts.get(id) ?? Number.NaN), 0);
      expect((await readSpendTotals(stack.db, period())).COMPUTE).toBe(expected);
      expect((await countedEvents(stack.db, period())).shardEvents).toBe(counted.length);
      expect(stack.logs.some((l) => l.includes('injected fault'))).toBe(true);
    }, 150_000);
  });

  describe('a function crash mid-stream', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ functions: ['spend-aggregator'] });
    });
    afterAll(async () => stack?.close());

    it('loses and duplicates nothing once Pub/Sub redelivers to the restarted function', async () => {
      const publisher = createPublisher({ projectId: stack.projectId, source: 'crash', exitHook: false });
      for (let i = 0; i < 500; i++) publisher.recordCost({ category: 'DATABASE', amountMicros: 7 });
      await publisher.flush();
      await waitFor(() => countedEvents(stack.db, period()), (c) => c.shardEvents >= 100, 30_000, 'some progress');
      await stack.restartFunction('spend-aggregator', { crash: true });
      await publisher.close();
      await waitForCounted(stack.db, period(), 500, 90_000);
      await new Promise((r) => setTimeout(r, 2000));
      expect((await readSpendTotals(stack.db, period())).DATABASE).toBe(500 * 7);
      expect(await countedEvents(stack.db, period())).toMatchObject({ shardEvents: 500, ledgerEntries: 500 });
    }, 150_000); // waits up to 90 s for Pub/Sub to redeliver to the restarted function
  });
});
