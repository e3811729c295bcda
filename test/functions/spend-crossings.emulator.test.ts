import { ulid } from 'ulid';
import { startFunction, type FunctionProcess } from '../../bin/stack/functions-runner';
import { freePort } from '../../bin/stack/ports';
import { FUNCTIONS_SOURCE } from '../../bin/stack/stack';
import { withBudget } from '../../shared/budget/budget-config';
import { periodOf } from '../../shared/basics/period';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { COLLECTIONS } from '../../shared/basics/collections';
import { readFlags } from '../../shared/store/throttle-flags-store';
import { pushPathFor } from '../../shared/topology/topology';
import { countedEvents, probeAlerts, readSpendTotals } from '../support/spend-helpers';
import { LOOPBACK_PRELOAD, startTestStack, waitFor, type TestStack } from '../support/test-stack';

/** POSTs a Pub/Sub push request; like Pub/Sub, pushes again until the function acks (2xx). */
async function push(url: string, data: unknown, messageId: string): Promise<void> {
  const body = JSON.stringify({ message: { data: Buffer.from(JSON.stringify(data)).toString('base64'), attributes: {}, messageId, publishTime: new Date().toISOString() }, subscription: 'crossings' });
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    if (response.ok) return;
    if (attempt >= 5) throw new Error(`push of ${messageId} refused ${attempt} times (${response.status})`);
  }
}

describe('spend-aggregator threshold crossings under concurrent pushes', () => {
  let stack: TestStack;
  let second: FunctionProcess;

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'] });
    // A second instance with a view of its own: each instance misses the other's commits until it reads.
    const spec = stack.topology.functions.find((f) => f.name === 'spend-aggregator')!;
    second = await startFunction({
      spec,
      port: await freePort(),
      source: FUNCTIONS_SOURCE,
      env: { ...process.env, ...stack.clientEnv },
      nodeArgs: ['--require', LOOPBACK_PRELOAD],
      onLine: (line) => stack.logs.push(`[spend-aggregator-2] ${line}`),
    });
  });
  afterAll(async () => {
    await second?.process.stop();
    await stack?.close();
  });

  it('raises the 80, 95 and 100 % alerts once each and leaves the flag blocked, from two instances and 32 pushes in flight', async () => {
    await updateBudgetConfig(stack.db, (c) => withBudget(c, 'AI_API_CALLS', 10_000_000));
    const alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
    const path = pushPathFor(stack.projectId, stack.topology.topics.cost);
    const urls = [`${stack.functions[0]!.url}${path}`, `${second.url}${path}`];
    // 300 × 41,150 µUSD = $12.345 against $10, every event pushed twice (to either instance).
    const events = Array.from({ length: 300 }, () => ({
      eventId: ulid(),
      schemaVersion: 1,
      type: 'cost',
      source: 'crossing-agent',
      occurredAt: new Date().toISOString(),
      payload: { category: 'AI_API_CALLS', amountMicros: 41_150 },
    }));
    const deliveries = events.flatMap((e, i) => [0, 1].map((copy) => ({ url: urls[(i + copy) % 2]!, event: e, messageId: `${i}-${copy}` })));
    deliveries.sort(() => Math.random() - 0.5);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < deliveries.length) {
          const d = deliveries[next++]!;
          await push(d.url, d.event, d.messageId);
        }
      }),
    );

    const p = periodOf(new Date()).id;
    expect((await readSpendTotals(stack.db, p, ['AI_API_CALLS'])).AI_API_CALLS).toBe(12_345_000);
    expect(await countedEvents(stack.db, p)).toMatchObject({ shardEvents: 300, ledgerEntries: 300 });
    const expected = [80, 95, 100].map((t) => `budget_AI_API_CALLS_${p}_${t}`).sort();
    await waitFor(async () => alerts.counts.size, (n) => n >= 3, 20_000, 'three alerts');
    await waitFor(async () => (await readFlags(stack.db, p)).budgets.AI_API_CALLS?.level, (l) => l === 'blocked', 20_000, 'the flag blocked');
    // Late duplicates would arrive within this.
    await new Promise((r) => setTimeout(r, 1500));
    expect([...alerts.counts.keys()].sort()).toEqual(expected);
    expect([...alerts.counts.values()]).toEqual([1, 1, 1]);
    const stored = await stack.db.collection(COLLECTIONS.budgetAlerts).where('period', '==', p).get();
    expect(stored.docs.map((d) => d.id).sort()).toEqual(expected);
    expect(stored.docs.every((d) => d.get('published') === true)).toBe(true);
    const flag = (await readFlags(stack.db, p)).budgets.AI_API_CALLS;
    expect(flag?.level).toBe('blocked');
    // The flag was decided from a read that saw at least the budget spent.
    expect(flag?.spentMicros).toBeGreaterThanOrEqual(10_000_000);
    await alerts.close();
  });
});
