import { Firestore } from '@google-cloud/firestore';
import { priceCostEvent } from '../../../shared/budget/price-cost-event';
import { counterKeyOf, scopedBudgetSchema } from '../../../shared/budget/scoped-budget';
import { windowOf } from '../../../shared/budget/budget-window';
import type { CostEvent } from '../../../shared/contracts/cost-event';
import { newEventId } from '../../../shared/contracts/event-id';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import { COLLECTIONS } from '../../../shared/basics/collections';
import { CounterShardPicker } from '../../../shared/store/counter-shards';
import { readScopeTotals } from '../../../shared/store/scope-spend';
import { commitSpend } from '../../../shared/store/spend-shards';
import { testProjectId } from '../../support/test-stack';

const budget = scopedBudgetSchema.parse({ id: 'per-agent-shards', scope: 'agent:*', window: 'day', amountMicros: 100_000_000 });

const costOf = (source: string, amountMicros: number): CostEvent => ({ eventId: newEventId(), schemaVersion: 1, type: 'cost', source, occurredAt: new Date().toISOString(), payload: { category: 'AI_API_CALLS', amountMicros } }) as CostEvent;

describe('scoped counters: shard 0 while quiet, spread while hot (Firestore emulator)', () => {
  let db: Firestore;

  beforeAll(() => {
    db = new Firestore({ projectId: testProjectId() });
  });
  afterAll(async () => {
    await db.terminate();
  });

  it('reads a quiet counter as one document and a hot one from all its shards, exactly, whoever wrote them', async () => {
    const windowId = windowOf('day', 'UTC', new Date()).id;
    const stamp = Date.now();
    const [quiet, hot] = [`quiet-${stamp}`, `hot-${stamp}`];
    const key = (agent: string) => counterKeyOf(budget.id, `agent:${agent}`, windowId);
    let now = 0;
    let r = 0;
    // Two function instances, each with its own picker: both write the hot agent's counter.
    const pickers = [new CounterShardPicker(() => (r = (r + 0.29) % 1), () => now), new CounterShardPicker(() => (r = (r + 0.53) % 1), () => now)];
    let expected = 0;
    for (let commit = 0; commit < 40; commit++) {
      now += 50; // 20 commits a second: hot
      const amount = 1_000 + commit;
      expected += amount;
      await commitSpend(db, [priceCostEvent(costOf(hot, amount), PRICE_TABLE, new Date())], { scopedBudgets: [budget], shardPicker: pickers[commit % 2]! });
    }
    for (let commit = 0; commit < 3; commit++) {
      now += 5_000; // one commit every 5 s: quiet
      await commitSpend(db, [priceCostEvent(costOf(quiet, 7), PRICE_TABLE, new Date())], { scopedBudgets: [budget], shardPicker: pickers[commit % 2]! });
    }

    const shardsOf = async (agent: string) => (await db.collection(COLLECTIONS.scopeSpend).where('counter', '==', key(agent)).get()).docs;
    expect((await shardsOf(quiet)).map((d) => d.get('shard'))).toEqual([0]);
    const hotShards = await shardsOf(hot);
    expect(hotShards.length).toBeGreaterThan(8);
    expect(hotShards.find((d) => d.get('shard') === 0)?.get('spread')).toBe(true);

    const { totals, reads } = await readScopeTotals(db, [key(quiet), key(hot), key(`never-${stamp}`)]);
    expect(totals).toEqual({ [key(quiet)]: 21, [key(hot)]: expected, [key(`never-${stamp}`)]: 0 });
    expect(reads).toBe(3 + 15);
  });
});
