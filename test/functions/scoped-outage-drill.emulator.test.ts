import type { Timestamp } from '@google-cloud/firestore';
import { startEmulator, type EmulatorHandle } from '../../bin/stack/emulators';
import { freePort } from '../../bin/stack/ports';
import { COLLECTIONS } from '../../shared/basics/collections';
import { scenarioStack } from '../support/scenario-stack';
import { expectScopedExactness, waitForLedger } from '../support/scoped-spend-checks';
import { scenarioAgents, scenarioCosts, ScenarioPublishers, type PlannedCost } from '../support/scoped-spend-scenario';

/** How long Firestore stays paused (the drill of issue 22). */
const OUTAGE_MILLISECONDS = 20_000;
/** Agents keep spending through the outage, a slice of their costs this often. */
const SPEND_EVERY_MILLISECONDS = 2_500;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * The outage drill: Firestore paused (SIGSTOP) for 20 s while 24 agents spend, then resumed
 * (SIGCONT). Its own Firestore emulator, so the pause stalls no other test file of the run. Team
 * `alpha` crosses its 80, 95 and 100 % during the outage; the agents, the tag, `beta` and the
 * fleet cross theirs after it. Afterwards every scope's total and the fleet's are exact, nothing
 * was dead-lettered, and each alert was raised and published once.
 */
describe('scoped budgets: a 20 s Firestore outage while agents spend', () => {
  let firestore: EmulatorHandle;
  const sharedFirestoreHost = process.env.FIRESTORE_EMULATOR_HOST;
  // The minute budget tick runs as deployed: the backstop for what an outage left undone.
  const s = scenarioStack(
    { functions: ['spend-aggregator', 'budget-evaluator'], schedules: true },
    {
      async before() {
        firestore = await startEmulator('firestore', { port: await freePort() });
        // The stack, its functions and this file's clients all follow the variable (it takes
        // precedence over any client setting).
        process.env.FIRESTORE_EMULATOR_HOST = firestore.hostPort;
      },
      async after() {
        process.env.FIRESTORE_EMULATOR_HOST = sharedFirestoreHost;
        await firestore?.stop();
      },
    },
  );

  it('ends with every scope exact and each alert raised and published once', async () => {
    const { stack, alerts } = s;
    const agents = new ScenarioPublishers(stack.projectId);
    const deadLetters = stack.collectDeadLetters(stack.topology.functions.find((f) => f.name === 'spend-aggregator')!.subscription.deadLetterTopic);
    const costs = scenarioCosts(scenarioAgents());
    const quarter = costs.length / 4;
    const spend = async (slice: readonly PlannedCost[]) => {
      for (const cost of slice) agents.emit(cost);
      await agents.flush();
    };

    // Before: a quarter of the spend, counted (no threshold crossed yet).
    await spend(costs.slice(0, quarter));
    await waitForLedger(stack.db, agents.published, 60_000);

    // During: half of it, a slice every 2.5 s while Firestore does not answer.
    firestore.process.freeze();
    const pausedAt = Date.now();
    const during = costs.slice(quarter, 3 * quarter);
    const slices = Math.floor(OUTAGE_MILLISECONDS / SPEND_EVERY_MILLISECONDS) - 1;
    for (let i = 0; i < slices; i++) {
      await spend(during.slice(Math.floor((i * during.length) / slices), Math.floor(((i + 1) * during.length) / slices)));
      await sleep(SPEND_EVERY_MILLISECONDS);
    }
    await sleep(Math.max(0, pausedAt + OUTAGE_MILLISECONDS - Date.now()));
    const spentDuring = agents.published.slice(quarter);
    const resumedAt = Date.now();
    firestore.process.thaw();

    // After: the last quarter; then the pipeline drains (handlers that waited on Firestore finish,
    // Pub/Sub redelivers whatever failed or timed out).
    await spend(costs.slice(3 * quarter));
    await agents.close();
    const counted = await waitForLedger(stack.db, agents.published, 120_000).finally(() => deadLetters.close());
    expect(counted).toHaveLength(costs.length);
    // The outage was real: nothing spent during it could be recorded before Firestore resumed.
    const recorded = await stack.db.getAll(...spentDuring.map((c) => stack.db.collection(COLLECTIONS.costEvents).doc(c.eventId)));
    expect(recorded.filter((d) => (d.get('recordedAt') as Timestamp).toMillis() < resumedAt).map((d) => d.id)).toEqual([]);
    expect(deadLetters.messages.map((m) => m.attributes.eventId)).toEqual([]);
    // Up to a claim's 30 s plus the next minute tick, for an alert whose publication the outage interrupted.
    await expectScopedExactness(stack.db, alerts, counted, 100_000);
  }, 300_000);
});
