import { startEmulator, type EmulatorHandle } from '../../bin/stack/emulators';
import { freePort } from '../../bin/stack/ports';
import { expectScopedExactness, waitForLedger, type AlertProbe } from '../support/scoped-spend-checks';
import { configureScenarioBudgets, scenarioAgents, scenarioCosts, ScenarioPublishers, type PlannedCost } from '../support/scoped-spend-scenario';
import { probeAlerts } from '../support/spend-helpers';
import { startTestStack, type TestStack } from '../support/test-stack';

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
  let stack: TestStack;
  let alerts: AlertProbe;
  const sharedFirestoreHost = process.env.FIRESTORE_EMULATOR_HOST;

  beforeAll(async () => {
    firestore = await startEmulator('firestore', { port: await freePort() });
    // The stack, its functions and this file's clients all follow the variable (it takes
    // precedence over any client setting).
    process.env.FIRESTORE_EMULATOR_HOST = firestore.hostPort;
    // The minute budget tick runs as deployed: the backstop for what an outage left undone.
    stack = await startTestStack({ functions: ['spend-aggregator', 'budget-evaluator'], schedules: true });
    await configureScenarioBudgets(stack.db);
    alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
  });
  afterAll(async () => {
    await alerts?.close();
    await stack?.close();
    await firestore?.stop();
    process.env.FIRESTORE_EMULATOR_HOST = sharedFirestoreHost;
  });

  it('ends with every scope exact and each alert raised and published once', async () => {
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
    firestore.process.thaw();

    // After: the last quarter; then the pipeline drains (Pub/Sub redelivers what was nacked).
    await spend(costs.slice(3 * quarter));
    await agents.close();
    const counted = await waitForLedger(stack.db, agents.published, 120_000);
    expect(counted).toHaveLength(costs.length);
    await deadLetters.close();
    expect(deadLetters.messages.map((m) => m.attributes.eventId)).toEqual([]);
    // Up to a claim's 30 s plus the next minute tick, for an alert whose publication the outage interrupted.
    await expectScopedExactness(stack.db, alerts, counted, 100_000);
  }, 300_000);
});
