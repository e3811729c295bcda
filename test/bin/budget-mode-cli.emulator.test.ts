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

  it("shows a hard scoped budget's allowance for one scope instance in its current window", async () => {
    expect((await governor('budget', 'set', '5', '--scope', 'agent:*', '--window', 'day', '--timezone', 'Asia/Kolkata', '--mode', 'hard', '--id', 'agent-day')).status).toBe(0);
    const publisher = createPublisher({ projectId: stack.projectId, source: 'writer-7', transport: new MemoryTransport(), exitHook: false });
    const guard = await createSpendGuard({ publisher, firestore: stack.db, exitHook: false }).ready();
    (await guard.reserve({ category: 'STORAGE', estimateMicros: 2_000 })).settle({ amountMicros: 1_500 });
    const allowance = JSON.parse((await governor('budget', 'allowance', 'agent-day', '--scope', 'agent:writer-7', '--json')).stdout) as Record<string, unknown>;
    expect(allowance).toMatchObject({ budget: 'agent-day', scope: 'agent:writer-7', window: 'day', mode: 'hard', budgetMicros: 5_000_000 });
    // The window is the day in the budget's time zone (Kolkata is UTC+5:30, no daylight saving time).
    expect(allowance.windowId).toBe(new Date(Date.now() + 5.5 * 3_600_000).toISOString().slice(0, 10));
    expect(allowance.leasedMicros as number).toBeGreaterThanOrEqual(2_000);
    expect((allowance.freeMicros as number) + (allowance.leasedMicros as number)).toBe(5_000_000);
    // Another agent's instance of the same template has its own, untouched allowance.
    const other = JSON.parse((await governor('budget', 'allowance', 'agent-day', '--scope', 'agent:writer-8', '--json')).stdout) as Record<string, unknown>;
    expect(other).toMatchObject({ scope: 'agent:writer-8', leasedMicros: 0, freeMicros: 5_000_000 });
    await guard.close();
    await publisher.close();
    expect((await governor('budget', 'allowance', 'agent-day', '--scope', 'agent:writer-7')).stdout).toMatch(/^agent-day agent:writer-7 \(hard\) day \d{4}-\d\d-\d\d: \$0\.001500 charged, \$0\.00 leased/);

    // Bad input: a clear error naming what is wrong.
    const template = await governor('budget', 'allowance', 'agent-day');
    expect(template.status).toBe(1);
    expect(template.stderr).toContain('budget agent-day is a template (agent:*): name one of its instances with --scope agent:<name>');
    expect((await governor('budget', 'allowance', 'agent-day', '--scope', 'team:content')).stderr).toContain('--scope "team:content" is not an instance of agent:*');
    expect((await governor('budget', 'allowance', 'agent-day', '--scope', 'org:acme')).stderr).toContain('--scope "org:acme"');
    expect((await governor('budget', 'allowance', 'no-such-budget')).stderr).toContain('"no-such-budget" is not a category (');
    expect((await governor('budget', 'allowance', 'no-such-budget')).stderr).toContain('or the id of a scoped budget (agent-day)');
    expect((await governor('budget', 'allowance', 'total', '--scope', 'agent:writer-7')).stderr).toContain("--scope applies to a scoped budget; TOTAL is the fleet's");
  });
});
