import { withBudget } from '../../../shared/budget/budget-config';
import { periodOf } from '../../../shared/basics/period';
import { estimateCost } from '../../../shared/pricing/ai-cost';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import { surveyAllowance } from '../../../shared/store/allowance-store';
import { updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { COLLECTIONS } from '../../../shared/basics/collections';
import { startAgentProcess, type AgentReport } from '../../../bench/agent-fleet';
import type { AgentProcessConfig } from '../../../bench/agent-fleet';
import { readSpendTotals, waitForCounted } from '../../support/spend-helpers';
import { LOOPBACK_PRELOAD, startTestStack, type TestStack } from '../../support/test-stack';

const period = () => periodOf(new Date()).id;
const CALL = { model: 'gemini-2.5-flash', inputTokens: 1_000, maxOutputTokens: 300 };
const ESTIMATE = estimateCost(PRICE_TABLE, CALL, new Date());

function worker(stack: TestStack, name: string, overrides: Partial<AgentProcessConfig>) {
  const config: AgentProcessConfig = { projectId: stack.projectId, agents: 3, name, mode: 'hard', ...CALL, callMilliseconds: 2, maxCalls: 10_000, maxRefusals: 3, ...overrides };
  return startAgentProcess(config, { ...process.env, ...stack.clientEnv }, ['--require', LOOPBACK_PRELOAD]);
}

const sum = (reports: AgentReport[], pick: (r: AgentReport) => number) => reports.reduce((n, r) => n + pick(r), 0);

describe('hard budget, agent processes against the real pipeline', () => {
  let stack: TestStack;
  beforeEach(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'] });
  });
  afterEach(async () => stack?.close());

  it('many concurrent agents end at or under the limit, every settled call counted exactly once', async () => {
    const budget = 500_000;
    await updateBudgetConfig(stack.db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', budget), budgetMode: { AI_API_CALLS: 'hard' } }));
    const workers = Array.from({ length: 4 }, (_, i) => worker(stack, `fleet-${i}`, {}));
    await Promise.all(workers.map((w) => w.ready));
    const reports = (await Promise.all(workers.map((w) => w.finished))).flat();
    expect(reports).toHaveLength(12);
    const calls = sum(reports, (r) => r.calls);
    const settled = sum(reports, (r) => r.spentMicros);
    await waitForCounted(stack.db, period(), calls, 90_000);

    const recorded = (await readSpendTotals(stack.db, period(), ['AI_API_CALLS'])).AI_API_CALLS;
    expect(recorded).toBe(settled);
    // The stated bound: limit + overdrafts (calls above their estimate: none, estimates use the max output).
    expect(sum(reports, (r) => r.stats?.overdraftMicros ?? 0)).toBe(0);
    expect(recorded).toBeLessThanOrEqual(budget);
    // And the budget was used: each shard stops with less than one call's estimate free.
    expect(recorded).toBeGreaterThan(budget - 8 * ESTIMATE);
    // The allowance agrees with the ledger, and nothing is left leased.
    const survey = await surveyAllowance(stack.db, period(), 'AI_API_CALLS', budget, Date.now(), 60_000);
    expect(survey.reduce((n, s) => n + s.spentMicros, 0)).toBe(settled);
    expect(survey.every((s) => s.leases === 0)).toBe(true);
    expect(reports.every((r) => r.lastRefusal?.startsWith('hard budget AI_API_CALLS'))).toBe(true);
  }, 150_000);

  it('an agent killed mid-lease loses no money and blocks nothing once its lease has expired', async () => {
    const budget = 100_000;
    await updateBudgetConfig(stack.db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', budget), budgetMode: { AI_API_CALLS: 'hard' } }));
    const policy = { leaseTtlMilliseconds: 3_000, expiryMarginMilliseconds: 500, reapGraceMilliseconds: 2_000 };
    const doomed = worker(stack, 'doomed', { agents: 1, maxCalls: 12, hold: true, policy });
    const [held] = await doomed.holding;
    await doomed.process.kill(); // SIGKILL: no exit hook, its lease and an open reservation stay behind

    const survivors = worker(stack, 'survivor', { agents: 2, maxRefusals: 10, policy });
    const reports = await survivors.finished;
    const calls = held!.calls + sum(reports, (r) => r.calls);
    await waitForCounted(stack.db, period(), calls, 90_000);

    // Its settled spend arrived as cost events and counts once; nothing of its lease is lost.
    const ledger = await stack.db.collection(COLLECTIONS.costEvents).where('source', '==', 'doomed').get();
    expect(ledger.docs.reduce((n, d) => n + (d.get('amountMicros') as number), 0)).toBe(held!.spentMicros);
    const recorded = (await readSpendTotals(stack.db, period(), ['AI_API_CALLS'])).AI_API_CALLS!;
    expect(recorded).toBe(held!.spentMicros + sum(reports, (r) => r.spentMicros));
    expect(recorded).toBeLessThanOrEqual(budget);
    // Its lease was reaped after expiry, charged what the ledger had: no lease is left, and the
    // allowance shards charge exactly what was recorded.
    expect(sum(reports, (r) => r.stats?.reaped ?? 0)).toBeGreaterThanOrEqual(1);
    const survey = await surveyAllowance(stack.db, period(), 'AI_API_CALLS', budget, Date.now(), 60_000);
    expect(survey.every((s) => s.leases === 0)).toBe(true);
    expect(survey.reduce((n, s) => n + s.spentMicros, 0)).toBe(recorded);
    expect(recorded).toBeGreaterThan(budget - 8 * ESTIMATE);
  }, 150_000);

  it('returns the leases of an agent process that ends without closing its guards (exit hook)', async () => {
    const budget = 1_000_000;
    await updateBudgetConfig(stack.db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', budget), budgetMode: { AI_API_CALLS: 'hard' } }));
    const reports = await worker(stack, 'leaver', { agents: 2, maxCalls: 30, exitHook: true }).finished;
    const survey = await surveyAllowance(stack.db, period(), 'AI_API_CALLS', budget, Date.now(), 60_000);
    expect(survey.every((s) => s.leases === 0)).toBe(true);
    expect(survey.reduce((n, s) => n + s.spentMicros, 0)).toBe(sum(reports, (r) => r.spentMicros));
    expect(sum(reports, (r) => r.calls)).toBe(60);
  }, 60_000);
});
