import type { AlertProbe } from './scoped-spend-checks';
import { configureScenarioBudgets } from './scoped-spend-scenario';
import { probeAlerts } from './spend-helpers';
import { startedInBeforeAll } from './stack-with-publisher';
import { startTestStack, type TestStack } from './test-stack';

/** A test stack with the scoped scenario's budgets stored and a probe on its alerts topic. */
export interface ScenarioStack {
  readonly stack: TestStack;
  readonly alerts: AlertProbe;
}

/** What runs around the stack: `before` it starts (e.g. a dedicated emulator), `after` it is closed. */
export interface AroundStack {
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

/**
 * Registers, in the calling describe block, a beforeAll that starts the stack, stores the
 * scenario's budgets and probes the alerts topic, and an afterAll that closes the probe before
 * the stack (whose close deletes the probe's subscription).
 */
export function scenarioStack(options: Parameters<typeof startTestStack>[0], around: AroundStack = {}): ScenarioStack {
  let stack: TestStack | undefined;
  let alerts: AlertProbe | undefined;
  beforeAll(async () => {
    await around.before?.();
    stack = await startTestStack(options);
    await configureScenarioBudgets(stack.db);
    alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
  });
  afterAll(async () => {
    try {
      await alerts?.close();
      await stack?.close();
    } finally {
      await around.after?.();
    }
  });
  return {
    get stack() {
      return startedInBeforeAll(stack);
    },
    get alerts() {
      return startedInBeforeAll(alerts);
    },
  };
}
