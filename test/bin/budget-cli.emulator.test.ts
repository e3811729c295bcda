import { createPublisher } from '../../shared/publisher/publisher';
import { governorCli } from '../support/governor-cli';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

describe('governor budget (CLI against the local stack)', () => {
  let stack: TestStack;
  const governor = governorCli(() => stack.clientEnv);

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
  });
  afterAll(async () => stack?.close());

  it('sets budgets, refusing bad ones without changing anything', async () => {
    expect((await governor('budget', 'set', 'AI_API_CALLS', '2')).status).toBe(0);
    expect((await governor('budget', 'set', 'total', '300')).stdout).toContain('TOTAL budget is now $300.00 per month');
    const bad = await governor('budget', 'set', 'TEA', '5');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"TEA" is not a category');
    expect((await governor('budget', 'set', 'STORAGE', '-3')).stderr).toContain('is not an amount in USD');
    const shown = JSON.parse((await governor('budget', 'show', '--json')).stdout) as { config: { totalMicros: number; categories: Record<string, number> } };
    expect(shown.config.totalMicros).toBe(300_000_000);
    expect(shown.config.categories.AI_API_CALLS).toBe(2_000_000);
    expect(shown.config.categories.STORAGE).toBe(20_000_000);
  });

  it('reports status and recommendations from the recorded spend', async () => {
    const publisher = createPublisher({ projectId: stack.projectId, source: 'cli-test', exitHook: false });
    // Two 2.5 Pro calls of 150k input + 100k output tokens: 2 × ($0.1875 + $1.00) = $2.375 → over the $2 AI budget.
    for (let i = 0; i < 2; i++) publisher.recordAiUsage({ model: 'gemini-2.5-pro', inputTokens: 150_000, outputTokens: 100_000 });
    await publisher.close();
    const status = await waitFor(
      async () => JSON.parse((await governor('budget', 'status', '--json')).stdout) as { budgets: { budget: string; spentMicros: number; throttle: string; alerts: unknown[]; percent: number }[] },
      (s) => s.budgets.find((b) => b.budget === 'AI_API_CALLS')?.throttle === 'blocked',
      20_000,
      'AI spend in the status',
    );
    expect(status.budgets.find((b) => b.budget === 'AI_API_CALLS')).toMatchObject({ spentMicros: 2_375_000, percent: 118.75 });
    expect(status.budgets.find((b) => b.budget === 'AI_API_CALLS')?.alerts).toHaveLength(3);

    const report = JSON.parse((await governor('budget', 'report', '--json')).stdout) as { recommendations: { kind: string; savingMicros?: number }[]; models: Record<string, { micros: number }> };
    expect(report.models['gemini-2.5-pro']?.micros).toBe(2_375_000);
    // The same tokens on 2.5 Flash: 300k × $0.30/M + 200k × $2.50/M = $0.59 → saving $1.785.
    expect(report.recommendations).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'model-switch', savingMicros: 1_785_000 })]));
    const human = await governor('budget', 'report');
    expect(human.stdout).toContain('gemini-2.5-pro');
    expect(human.stdout).toContain('Recommendations:');

    // Raising the budget lifts the block at once (the CLI re-applies the budgets).
    expect((await governor('budget', 'set', 'AI_API_CALLS', '100')).status).toBe(0);
    const after = JSON.parse((await governor('budget', 'status', '--json')).stdout) as { budgets: { budget: string; throttle: string }[] };
    expect(after.budgets.find((b) => b.budget === 'AI_API_CALLS')?.throttle).toBe('none');
  });
});
