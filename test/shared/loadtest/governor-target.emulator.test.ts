import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import { runLoadTest } from '../../../shared/loadtest/run-load-test';
import { createTarget } from '../../../shared/loadtest/target-spec';
import { parseThreshold } from '../../../shared/loadtest/thresholds';
import { COLLECTIONS } from '../../../shared/basics/collections';
import { startTestStack, type TestStack } from '../../support/test-stack';

describe('load test of Governor’s own pipeline on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator', 'metric-aggregator', 'security-monitor'] });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('publishes cost, metric and security events and counts each one done when its record appears', async () => {
    const runId = 'r1';
    const target = await createTarget({ kind: 'governor', projectId: stack.projectId, runId }, false, stack.clientEnv);
    const result = await runLoadTest(resolveLoadPlan('x', { stages: '10:1.2s' }), target, {
      runId,
      thresholds: [parseThreshold('error_rate==0'), parseThreshold('requests==12')],
      // A cold function on a loaded machine can take seconds for its first events.
      gracefulStopMilliseconds: 30_000,
    });
    if (result.summary.errors.length > 0) process.stderr.write(stack.logs.slice(-40).join('\n'));
    expect(result.summary.errors).toEqual([]);
    expect(result.passed).toBe(true);
    // Every cost probe is in the ledger at $0 and every security probe in the audit log.
    const ledger = await stack.db.collection(COLLECTIONS.costEvents).where('source', '==', `loadtest-${runId}`).get();
    expect(ledger.size).toBe(4);
    const audit = await stack.db.collection(COLLECTIONS.securityAudit).where('source', '==', `loadtest-${runId}`).get();
    expect(audit.size).toBe(4);
  });

  it('fails an event that is never recorded as a timeout instead of waiting forever', async () => {
    // No function consumes this project's topics: nothing is ever recorded.
    const bare = await startTestStack({ functions: [] });
    try {
      const target = await createTarget({ kind: 'governor', projectId: bare.projectId, runId: 'r2', types: ['cost'], timeoutMilliseconds: 500 }, false, bare.clientEnv);
      const result = await runLoadTest(resolveLoadPlan('x', { stages: '3:1s' }), target, { gracefulStopMilliseconds: 2000 });
      expect(result.summary.totals).toMatchObject({ requests: 3, failed: 3 });
      expect(result.summary.errors).toEqual([{ error: 'not recorded (timeout, cost)', count: 3, share: 1 }]);
    } finally {
      await bare.close();
    }
  });
});
