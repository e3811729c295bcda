import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { createSpendGuard } from '../../shared/leasing/spend-guard';
import { createPublisher } from '../../shared/publisher/publisher';
import { MemoryTransport } from '../support/memory-transport';
import { governorCli } from '../support/governor-cli';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('governor budget mode / allowance (CLI against the local stack)', () => {
  let stack: TestStack;
  const governor = governorCli(() => stack.clientEnv);

  beforeAll(async () => {
    stack = await startTestStack({ functions: [] });
  });
  afterAll(async () => stack?.close());

  it('makes a budget hard and soft again, refusing a bad mode or budget without changing anything', async () => {
    expect((await governor('budget', 'mode', 'AI_API_CALLS', 'hard')).stdout).toContain('AI_API_CALLS budget is now hard');
    expect((await loadBudgetConfig(stack.db)).config.budgetMode).toEqual({ AI_API_CALLS: 'hard' });
    const bad = await governor('budget', 'mode', 'AI_API_CALLS', 'strict');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"strict" is not a budget mode (soft, hard)');
    expect((await governor('budget', 'mode', 'TEA', 'hard')).stderr).toContain('"TEA" is not a category');
    expect((await governor('budget', 'mode', 'total', 'hard')).status).toBe(0);
    expect((await governor('budget', 'mode', 'AI_API_CALLS', 'soft')).status).toBe(0);
    expect((await loadBudgetConfig(stack.db)).config.budgetMode).toEqual({ TOTAL: 'hard' });
  });

  it("shows a hard budget's allowance: charged, leased and free per shard", async () => {
    await governor('budget', 'set', 'total', '10');
    const publisher = createPublisher({ projectId: stack.projectId, transport: new MemoryTransport(), exitHook: false });
    const guard = await createSpendGuard({ publisher, firestore: stack.db, exitHook: false }).ready();
    (await guard.reserve({ category: 'STORAGE', estimateMicros: 1_000 })).settle({ amountMicros: 700 });
    const allowance = JSON.parse((await governor('budget', 'allowance', 'total', '--json')).stdout) as { mode: string; spentMicros: number; leasedMicros: number; freeMicros: number; budgetMicros: number };
    expect(allowance).toMatchObject({ mode: 'hard', spentMicros: 0, budgetMicros: 10_000_000 });
    expect(allowance.leasedMicros).toBeGreaterThanOrEqual(1_000);
    expect(allowance.freeMicros + allowance.leasedMicros).toBe(10_000_000);
    await guard.close();
    await publisher.close();
    const human = (await governor('budget', 'allowance', 'total')).stdout;
    expect(human).toContain('TOTAL (hard)');
    expect(human).toContain('$0.000700 charged, $0.00 leased');
  });
});
