import { withBudget } from '../../shared/budget/budget-config';
import { periodOf } from '../../shared/basics/period';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { readFlags } from '../../shared/store/throttle-flags-store';
import { probeAlerts, readSpendTotals } from '../support/spend-helpers';
import { stackWithPublisher } from '../support/stack-with-publisher';
import { waitFor } from '../support/test-stack';

const current = () => periodOf(new Date());

// The instance keeps a config for this long: long enough that the second event is surely gated
// under the config the first one loaded, as on a warm production instance.
const CACHE_MILLISECONDS = 6_000;

describe('a budget change while an instance holds the old config (issue 21)', () => {
  const local = stackWithPublisher(
    { functions: ['spend-aggregator', 'budget-evaluator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: String(CACHE_MILLISECONDS) } },
    'config-change-test',
  );

  it('raises the WARNING with no later event when the budget is lowered between two events', async () => {
    const { stack, publisher } = local;
    const alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
    try {
      // A warm instance: the first event loads the default budgets (total $250) and caches them.
      publisher.recordCost({ category: 'AI_API_CALLS', usd: 0.25 });
      await publisher.flush();
      await waitFor(async () => (await readSpendTotals(stack.db, current().id, ['TOTAL'])).TOTAL, (t) => t === 250_000, 20_000, 'first event recorded');
      // Its evaluation (which loads the config) follows the commit within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      // Stored directly (not through `budget set`, which evaluates by itself): only the function can act.
      await updateBudgetConfig(stack.db, (c) => withBudget(c, 'TOTAL', 10_000_000));
      publisher.recordCost({ category: 'AI_API_CALLS', usd: 8.5 });
      await publisher.flush();
      await waitFor(async () => (await readSpendTotals(stack.db, current().id, ['TOTAL'])).TOTAL, (t) => t === 8_750_000, 20_000, 'second event recorded');

      // No further event: the instance re-reads the config it used when it expires and decides again.
      const warning = `budget_TOTAL_${current().id}_80`;
      await waitFor(async () => alerts.counts.get(warning) ?? 0, (n) => n === 1, 30_000, 'the WARNING alert');
      // The second event was gated under the cached $250 budget: the re-read after expiry acted.
      expect(stack.logs.some((line) => line.includes('budget config changed; deciding again under the new one'))).toBe(true);
      const alert = alerts.messages.find((m) => m.alertId === warning);
      expect(alert).toMatchObject({ severity: 'WARNING', budgetAmount: 10, costAmount: 8.75, alertThresholdExceeded: 0.8 });
    } finally {
      await alerts.close();
    }
  });

  it('acts on a budget lowered after the spend, by hand and with no event, at the next budget tick', async () => {
    const { stack, publisher } = local;
    const alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
    try {
      publisher.recordCost({ category: 'STORAGE', usd: 3 });
      await publisher.flush();
      await waitFor(async () => (await readSpendTotals(stack.db, current().id, ['STORAGE'])).STORAGE, (t) => t === 3_000_000, 20_000, 'STORAGE recorded');
      // Long after the instance's last use of the config: only the tick can see this hand edit.
      await new Promise((resolve) => setTimeout(resolve, CACHE_MILLISECONDS + 1_000));
      await updateBudgetConfig(stack.db, (c) => withBudget(c, 'STORAGE', 3_100_000));
      // Cloud Scheduler's minute tick, published now rather than awaited.
      await stack.pubsub.topic(stack.topology.topics.budgetTicks).publishMessage({ json: { tick: 'budgets' } });
      const critical = `budget_STORAGE_${current().id}_95`;
      await waitFor(async () => alerts.counts.get(critical) ?? 0, (n) => n === 1, 30_000, 'the CRITICAL alert from the tick');
      await waitFor(async () => (await readFlags(stack.db, current().id)).budgets.STORAGE?.level, (l) => l === 'throttled', 10_000, 'STORAGE throttled');
    } finally {
      await alerts.close();
    }
  });
});
