import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { periodOf } from '../../shared/basics/period';
import { COLLECTIONS } from '../../shared/basics/collections';
import { GCP_NOTIFICATION, GCP_NOTIFICATION_ATTRIBUTES } from '../support/billing-fixtures';
import { readSpendTotals } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

describe('billing-ingestor (Cloud Billing budget notifications)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ functions: ['billing-ingestor'] });
  });
  afterAll(async () => stack?.close());

  const publish = (data: Record<string, unknown>, attributes = GCP_NOTIFICATION_ATTRIBUTES) =>
    stack.pubsub.topic(stack.topology.topics.billing).publishMessage({ json: data, attributes });
  const period = () => periodOf(new Date()).id;
  const other = async () => (await readSpendTotals(stack.db, period(), ['OTHER'])).OTHER ?? 0;
  const notificationsHandled = () => stack.logs.filter((l) => l.includes('cloud billing')).length;

  it('counts the cumulative cost once, however often GCP re-sends it, and only increases after', async () => {
    for (let i = 0; i < 3; i++) await publish(GCP_NOTIFICATION);
    await waitFor(async () => notificationsHandled(), (n) => n >= 3, 20_000, 'three deliveries');
    expect(await other()).toBe(140_321_000);

    await publish({ ...GCP_NOTIFICATION, costAmount: 150 });
    await waitFor(other, (n) => n === 150_000_000, 20_000, 'the increase');
    // An older notification arriving late (smaller cumulative cost) adds nothing.
    await publish({ ...GCP_NOTIFICATION, costAmount: 145.5 });
    await waitFor(async () => notificationsHandled(), (n) => n >= 5, 20_000, 'the late notification');
    expect(await other()).toBe(150_000_000);

    const stored = await stack.db.collection(COLLECTIONS.billingBudgets).get();
    expect(stored.docs.map((d) => d.data())).toEqual([
      expect.objectContaining({ budgetId: GCP_NOTIFICATION_ATTRIBUTES.budgetId, countedMicros: 150_000_000, period: period(), category: 'OTHER' }),
    ]);
  });

  it('dead-letters a notification it cannot count, with the reason', async () => {
    const deadLetters = stack.collectDeadLetters(stack.topology.functions.find((f) => f.name === 'billing-ingestor')!.subscription.deadLetterTopic);
    await publish({ ...GCP_NOTIFICATION, currencyCode: 'EUR' });
    await publish(GCP_NOTIFICATION, { billingAccountId: 'x' } as never);
    await waitFor(async () => deadLetters.messages.length, (n) => n >= 2, 20_000, 'two dead letters');
    await deadLetters.close();
    expect(deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.failure]).sort()).toEqual(['currency', 'schema']);
    const reasons = deadLetters.messages.map((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.reason]).join('\n');
    expect(reasons).toContain('reports in EUR');
    expect(reasons).toContain('attributes.budgetId');
  });
});
