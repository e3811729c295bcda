import { ulid } from 'ulid';
import { withBudget } from '../../shared/budget/budget-config';
import { periodOf, previousPeriod } from '../../shared/basics/period';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { COLLECTIONS, CONFIG_DOCS } from '../../shared/basics/collections';
import { readFlags } from '../../shared/store/throttle-flags-store';
import { createThrottleReader } from '../../shared/throttle/throttle-reader';
import { probeAlerts, readSpendTotals } from '../support/spend-helpers';
import { stackWithPublisher } from '../support/stack-with-publisher';
import { waitFor } from '../support/test-stack';

const now = () => new Date();
const current = () => periodOf(now());

describe('budget enforcement on the local stack', () => {
  const local = stackWithPublisher({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } }, 'budget-test');

  it('dead-letters bad cost events with their reasons while counting every valid one (R3)', async () => {
    const topic = local.stack.pubsub.topic(local.stack.topology.topics.cost);
    const deadLetters = local.stack.collectDeadLetters(local.stack.topology.functions.find((f) => f.name === 'spend-aggregator')!.subscription.deadLetterTopic);
    const event = (payload: unknown, occurredAt = now().toISOString()) =>
      Buffer.from(JSON.stringify({ eventId: ulid(), schemaVersion: 1, type: 'cost', source: 'r3', occurredAt, payload }));
    const bad: [string, Buffer][] = [
      ['not-json', Buffer.from('{"eventId":"x","payload":{"amountMicros":NaN}}')],
      ['schema', event({ category: 'NETWORK', amountMicros: -5 })],
      ['schema', event({ category: 'NETWORK', amountMicros: 1e15 })],
      ['schema', event({ category: 'TEA', amountMicros: 5 })],
      ['schema', event({ category: 'NETWORK', amountMicros: 5, usage: { model: 'gemini-2.5-flash', inputTokens: 1 } })],
      ['schema', event({ category: 'NETWORK' })],
      // (A model without a price is charged provisionally, not refused: test/shared/genai/govern-genai.emulator.test.ts.)
      ['pricing', event({ category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', inputChars: 400 } })],
      ['future', event({ category: 'NETWORK', amountMicros: 5 }, new Date(Date.now() + 3 * 86_400_000).toISOString())],
      ['oversize', Buffer.alloc(100 * 1024, 'x')],
    ];
    const valid = Array.from({ length: 40 }, (_, i) => event({ category: 'NETWORK', amountMicros: 1000 + i }));
    const all = [...valid.map((data) => ({ data, bad: false })), ...bad.map(([, data]) => ({ data, bad: true }))].sort(() => Math.random() - 0.5);
    await Promise.all(all.map((m) => topic.publishMessage({ data: m.data })));

    await waitFor(async () => deadLetters.messages.length, (n) => n >= bad.length, 30_000, 'dead letters');
    await waitFor(async () => (await readSpendTotals(local.stack.db, current().id, ['NETWORK'])).NETWORK, (n) => n === 40 * 1000 + (39 * 40) / 2, 30_000, 'NETWORK total');
    await deadLetters.close();
    expect(deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.failure]).sort()).toEqual(bad.map(([f]) => f).sort());
    const reasons = deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.reason]).join('\n');
    expect(reasons).toContain('gemini-2.5-flash is priced per token');
    expect(reasons).toContain('more than 24 h ahead');
    expect(reasons).toContain('exactly one of amountMicros or usage');
  });

  it('sets throttle flags that a reader sees: 95 % throttles, 100 % blocks, and the total applies to every category', async () => {
    await updateBudgetConfig(local.stack.db, (c) => withBudget(c, 'STORAGE', 1_000_000));
    const reader = await createThrottleReader({ projectId: local.stack.projectId, firestore: local.stack.db }).ready();
    expect(reader.throttleLevel('STORAGE')).toBe('none');

    local.publisher.recordCost({ category: 'STORAGE', amountMicros: 960_000 });
    await local.publisher.flush();
    await waitFor(async () => reader.throttleLevel('STORAGE'), (l) => l === 'throttled', 20_000, 'STORAGE throttled');
    expect(reader.isThrottled('COMPUTE')).toBe(false);

    local.publisher.recordCost({ category: 'STORAGE', amountMicros: 50_000 });
    await local.publisher.flush();
    await waitFor(async () => reader.throttleLevel('STORAGE'), (l) => l === 'blocked', 20_000, 'STORAGE blocked');

    // Raising the budget and the next event lower the flag again.
    await updateBudgetConfig(local.stack.db, (c) => withBudget(c, 'STORAGE', 10_000_000));
    local.publisher.recordCost({ category: 'STORAGE', amountMicros: 1 });
    await local.publisher.flush();
    await waitFor(async () => reader.throttleLevel('STORAGE'), (l) => l === 'none', 20_000, 'STORAGE cleared');

    // A total budget crossing throttles every category.
    const spent = (await readSpendTotals(local.stack.db, current().id, ['TOTAL'])).TOTAL ?? 0;
    await updateBudgetConfig(local.stack.db, (c) => withBudget(c, 'TOTAL', Math.ceil((spent + 100_000) / 0.96)));
    local.publisher.recordCost({ category: 'MONITORING', amountMicros: 100_000 });
    await local.publisher.flush();
    await waitFor(async () => reader.throttleLevel('CACHING'), (l) => l === 'throttled', 20_000, 'every category throttled by TOTAL');
    await updateBudgetConfig(local.stack.db, (c) => withBudget(c, 'TOTAL', 250_000_000));
    local.publisher.recordCost({ category: 'MONITORING', amountMicros: 1 });
    await local.publisher.flush();
    await waitFor(async () => reader.throttleLevel('CACHING'), (l) => l === 'none', 20_000, 'TOTAL cleared');
    await reader.close();
  });

  it("starts a new period with no flags and keeps the previous period's record", async () => {
    const previous = previousPeriod(current());
    await updateBudgetConfig(local.stack.db, (c) => withBudget(c, 'CACHING', 1_000_000));
    // Late events of last month count in last month.
    local.publisher.emit({ type: 'cost', occurredAt: new Date(previous.end.getTime() - 3_600_000).toISOString(), payload: { category: 'CACHING', amountMicros: 1_200_000 } });
    await local.publisher.flush();
    await waitFor(async () => (await readFlags(local.stack.db, previous.id)).budgets.CACHING?.level, (l) => l === 'blocked', 20_000, "last month's CACHING flag");
    expect((await readSpendTotals(local.stack.db, previous.id, ['CACHING'])).CACHING).toBe(1_200_000);
    expect((await readFlags(local.stack.db, current().id)).budgets.CACHING).toBeUndefined();

    const thisMonth = await createThrottleReader({ projectId: local.stack.projectId, firestore: local.stack.db }).ready();
    const lastMonth = await createThrottleReader({ projectId: local.stack.projectId, firestore: local.stack.db, clock: () => new Date(previous.end.getTime() - 1) }).ready();
    expect(thisMonth.throttleLevel('CACHING')).toBe('none');
    expect(lastMonth.throttleLevel('CACHING')).toBe('blocked');
    await Promise.all([thisMonth.close(), lastMonth.close()]);
  });

  it('keeps the last good budget config in force when the stored one is invalid', async () => {
    await updateBudgetConfig(local.stack.db, (c) => withBudget(c, 'OTHER', 1_000_000));
    const alerts = await probeAlerts(local.stack.pubsub, local.stack.topology.topics.alerts);
    // Someone edits the document by hand and breaks it.
    await local.stack.db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.budgets).update({ 'categories.OTHER': -5 });
    local.publisher.recordCost({ category: 'OTHER', amountMicros: 850_000 });
    await local.publisher.flush();
    const id = `budget_OTHER_${current().id}_80`;
    await waitFor(async () => alerts.counts.get(id) ?? 0, (n) => n === 1, 20_000, 'the 80 % alert against the last good $1 budget');
    expect(alerts.messages.find((a) => a.alertId === id)).toMatchObject({ budgetAmount: 1, costAmount: 0.85, severity: 'WARNING' });
    expect(local.stack.logs.some((l) => l.includes('"severity":"ERROR"') && l.includes('stored budget config is invalid') && l.includes('categories.OTHER'))).toBe(true);
    await alerts.close();
  });

  it('raises a forecast alert once the run rate passes the budget, with the forecast field', async () => {
    await updateBudgetConfig(local.stack.db, (c) => ({ ...withBudget(c, 'COMPUTE', 10_000_000), forecast: { minHistoryHours: 0.0001 } }));
    const alerts = await probeAlerts(local.stack.pubsub, local.stack.topology.topics.alerts);
    // $1 spent two hours ago (or at the month's start) runs at far more than $10 a month.
    const start = Math.max(current().start.getTime(), Date.now() - 2 * 3_600_000);
    local.publisher.emit({ type: 'cost', occurredAt: new Date(start).toISOString(), payload: { category: 'COMPUTE', amountMicros: 1_000_000 } });
    await local.publisher.flush();
    const id = `forecast_COMPUTE_${current().id}_100`;
    await waitFor(async () => alerts.counts.get(id) ?? 0, (n) => n === 1, 20_000, 'the forecast alert');
    const alert = alerts.messages.find((a) => a.alertId === id);
    expect(alert).toMatchObject({ kind: 'forecast', forecastThresholdExceeded: 1, budgetAmount: 10, currencyCode: 'USD' });
    expect(alert?.alertThresholdExceeded).toBeUndefined();
    expect(Number(alert?.forecastMicros)).toBeGreaterThan(10_000_000);
    await alerts.close();
  });
});
