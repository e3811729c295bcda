import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import { Recording } from '../../../shared/loadtest/recording';
import { collectTaskResults, storeTaskResult } from '../../../shared/loadtest/task-results';
import { startTestStack, type TestStack } from '../../support/test-stack';

describe('Cloud Run task results in Firestore', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ functions: [] });
  });
  afterAll(async () => stack?.close());

  it('names the missing tasks, then merges all of them exactly once every task has stored', async () => {
    const plan = resolveLoadPlan('x', { stages: '10:2s' });
    const tasks = [0, 1, 2].map((task) => {
      const r = new Recording(1, 1000, 1_000_000);
      for (let i = 0; i < 10 + task; i++) r.record({ stage: 0, endOffsetMilliseconds: i * 100, latencyMilliseconds: 5 + task, status: 200 });
      return r;
    });
    await storeTaskResult(stack.db, 'exec-1', 0, 3, plan, 'GET http://127.0.0.1/', tasks[0]!);
    await storeTaskResult(stack.db, 'exec-1', 2, 3, plan, 'GET http://127.0.0.1/', tasks[2]!);
    expect(await collectTaskResults(stack.db, 'exec-1')).toEqual({ missing: [1], taskCount: 3 });
    await storeTaskResult(stack.db, 'exec-1', 1, 3, plan, 'GET http://127.0.0.1/', tasks[1]!);
    const got = await collectTaskResults(stack.db, 'exec-1');
    if (!('recording' in got)) throw new Error(`tasks missing: ${got.missing.join(', ')}`);
    expect(got.recording.total.count).toBe(33);
    expect(got.recording.workers).toBe(3);
    expect(got.recording.total.minMicroseconds).toBe(5000);
    expect(got.recording.total.maxMicroseconds).toBe(7000);
    expect(got.plan).toEqual(plan);
    expect(await collectTaskResults(stack.db, 'no-such-run')).toEqual({ missing: [], taskCount: null });
  });
});
