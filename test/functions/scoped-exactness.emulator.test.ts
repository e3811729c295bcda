import { scenarioStack } from '../support/scenario-stack';
import { expectScopedExactness, ledgerIds, waitForLedger } from '../support/scoped-spend-checks';
import { scenarioAgents, scenarioCosts, ScenarioPublishers } from '../support/scoped-spend-scenario';
import { governorCli } from '../support/governor-cli';
import { waitFor } from '../support/test-stack';

/**
 * R1, R2 and R4 on the scoped path: 24 agents in three teams, with `agent:*` daily, `team:*`
 * monthly, `tag:nightly` weekly and a fleet total budget. Afterwards every scoped counter and
 * every fleet total is exact and each alert (36 agents', 4 teams', 2 of the tag, 2 of the fleet)
 * was raised and published once.
 */
describe('scoped budgets: exactness under redelivery, faults and a crash', () => {
  const copies = 3;

  describe('every event delivered three times', () => {
    const s = scenarioStack({ functions: ['spend-aggregator'], functionEnv: { LOG_LEVEL: 'debug' } });

    it('counts each event once in each of its scopes and the fleet, and raises each alert once', async () => {
      const { stack, alerts } = s;
      const agents = new ScenarioPublishers(stack.projectId);
      for (const cost of scenarioCosts(scenarioAgents())) agents.emit(cost, copies);
      expect(await agents.close()).toBe(agents.published.length * copies);

      const counted = await waitForLedger(stack.db, agents.published, 60_000);
      expect(counted).toHaveLength(agents.published.length);
      // Every copy was handled (recorded, or recognised as a duplicate) before the totals are read.
      const handled = () => stack.logs.filter((l) => l.includes('"message":"event recorded"') || l.includes('"message":"duplicate event ignored"')).length;
      await waitFor(async () => handled(), (n) => n >= agents.published.length * copies, 60_000, 'every copy handled');
      await expectScopedExactness(stack.db, alerts, counted);
    }, 150_000);
  });

  describe('20 % of handler calls failing (fault injection), every event delivered three times', () => {
    const s = scenarioStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_FAULT_RATE: '0.2' } });

    it('stays exact after retries: each event counted once in every scope, or all its copies dead-lettered', async () => {
      const { stack, alerts } = s;
      const deadLetters = stack.collectDeadLetters(stack.topology.functions.find((f) => f.name === 'spend-aggregator')!.subscription.deadLetterTopic);
      const agents = new ScenarioPublishers(stack.projectId);
      for (const cost of scenarioCosts(scenarioAgents())) agents.emit(cost, copies);
      await agents.close();

      // A fault before or after the commit, each at 20 %: a delivery fails with p = 0.36 and a copy
      // is dead-lettered after five (p = 0.6 %); an event is lost only if all its copies are.
      const allCopiesDeadLettered = (): Set<string> => {
        const byEvent = new Map<string, number>();
        for (const m of deadLetters.messages) byEvent.set(m.attributes.eventId ?? '', (byEvent.get(m.attributes.eventId ?? '') ?? 0) + 1);
        return new Set([...byEvent].filter(([, n]) => n >= copies).map(([id]) => id));
      };
      const counted = await waitForLedger(stack.db, agents.published, 120_000, allCopiesDeadLettered).finally(() => deadLetters.close());
      expect(stack.logs.some((l) => l.includes('injected fault'))).toBe(true);
      await expectScopedExactness(stack.db, alerts, counted);
    }, 200_000);
  });

  describe('a function killed (SIGKILL) mid-stream and restarted', () => {
    // The minute budget tick is the backstop for an alert the crash left raised but unpublished.
    const s = scenarioStack({ functions: ['spend-aggregator', 'budget-evaluator'], schedules: true });
    const governor = governorCli(() => s.stack.clientEnv);

    it('loses and double-counts nothing in any scope: Pub/Sub redelivers to the restarted function, the operator replays what it dead-lettered', async () => {
      const { stack, alerts } = s;
      const agents = new ScenarioPublishers(stack.projectId);
      const costs = scenarioCosts(scenarioAgents());
      const half = costs.length / 2;
      for (const cost of costs.slice(0, half)) agents.emit(cost, copies);
      await agents.flush();
      await waitFor(() => ledgerIds(stack.db), (ids) => ids.size >= 10, 60_000, 'some events counted');
      // The second half is in flight when the function dies.
      for (const cost of costs.slice(half)) agents.emit(cost, copies);
      await agents.flush();
      await stack.restartFunction('spend-aggregator', { crash: true });
      await agents.close();

      // Locally a nacked push is redelivered at once (no backoff on the emulator: provision.ts), so
      // copies pushed while the function restarts use up their five attempts and are dead-lettered;
      // `governor dead-letters --replay` (what an operator runs) publishes them again — copies of
      // events already counted must then add nothing.
      const counted = await waitForLedger(stack.db, agents.published, 180_000, () => new Set(), async () => {
        const result = await governor('dead-letters', '--topic', 'cost', '--replay', '--max', '1000', '--json');
        if (result.status !== 0) throw new Error(`dead-letters --replay failed: ${result.stderr}`);
      });
      expect(counted).toHaveLength(agents.published.length);
      // Up to a claim's 30 s plus the next minute tick, for an alert raised just before the kill.
      await expectScopedExactness(stack.db, alerts, counted, 100_000);
    }, 300_000);
  });
});
