import { withScopedBudget } from '../../shared/budget/budget-config';
import { windowOf } from '../../shared/budget/budget-window';
import { scopedBudgetSchema } from '../../shared/budget/scoped-budget';
import { scopedAlertIdOf } from '../../shared/budget/scoped-evaluation';
import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { readScopeFlags } from '../../shared/store/scope-flags-store';
import { createThrottleReader, type ThrottleReader } from '../../shared/throttle/throttle-reader';
import { governorCli } from '../support/governor-cli';
import { probeAlerts } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const today = () => windowOf('day', 'UTC', new Date());
const call = { category: 'AI_API_CALLS', model: 'gemini-2.5-pro' } as const;

describe('the degrade ladder and shadow budgets on the local stack (issue 23)', () => {
  let stack: TestStack;
  let agent: GovernorPublisher;
  let neighbour: GovernorPublisher;
  let reader: ThrottleReader;
  let neighbourReader: ThrottleReader;
  let alerts: Awaited<ReturnType<typeof probeAlerts>>;
  const governor = governorCli(() => stack.clientEnv);
  const ladder = '0.3:prefer-cache,0.5:downgrade,0.7:cache-only';

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    const set = await governor('budget', 'set', '1', '--scope', 'agent:*', '--window', 'day', '--id', 'agent-daily', '--ladder', ladder);
    expect(set.stdout).toContain('ladder 30 % prefer-cache, 50 % downgrade, 70 % cache-only');
    // A stricter policy tried in shadow: half the budget, and a block at 20 %.
    await updateBudgetConfig(stack.db, (c) => withScopedBudget(c, scopedBudgetSchema.parse({ id: 'agent-trial', scope: 'agent:*', window: 'day', amountMicros: 500_000, ladder: { steps: [{ at: 0.2, action: 'block' }] }, shadow: true })));
    // An enforced budget whose ladder alone is tried in shadow.
    await updateBudgetConfig(stack.db, (c) => withScopedBudget(c, scopedBudgetSchema.parse({ id: 'agent-big', scope: 'agent:*', window: 'day', amountMicros: 2_000_000, ladder: { steps: [{ at: 0.1, action: 'block' }], shadow: true } })));
    agent = createPublisher({ projectId: stack.projectId, source: 'laddered', exitHook: false, batching: { maxMilliseconds: 5 } });
    neighbour = createPublisher({ projectId: stack.projectId, source: 'neighbour', exitHook: false, batching: { maxMilliseconds: 5 } });
    const ready = (p: GovernorPublisher) => createThrottleReader({ projectId: stack.projectId, firestore: stack.db, publisher: p }).ready();
    [reader, neighbourReader] = await Promise.all([ready(agent), ready(neighbour)]);
    alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
  });
  afterAll(async () => {
    await alerts?.close();
    await Promise.all([reader?.close(), neighbourReader?.close()]);
    await Promise.all([agent?.close(), neighbour?.close()]);
    await stack?.close();
  });

  const spend = async (usd: number) => {
    agent.recordCost({ category: 'AI_API_CALLS', usd });
    await agent.flush();
  };

  it('refuses a bad ladder naming the flag, changing nothing', async () => {
    const bad = await governor('budget', 'set', '1', '--scope', 'agent:*', '--window', 'day', '--id', 'agent-daily', '--ladder', '0.5:downgrade,0.4:block');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--ladder (steps.1.at): must be above the previous step's 0.5 (steps climb)");
    const unpriced = await governor('budget', 'set', '1', '--scope', 'agent:*', '--window', 'day', '--ladder', '0.5:downgrade=gemini-2.5-pro>gemini-9-nano');
    expect(unpriced.stderr).toContain('gemini-9-nano has no price in the price table');
  });

  it('climbs the steps at their thresholds, from memory, for this agent alone; a shadow budget changes nothing it enforces', async () => {
    expect(reader.plan(call)).toEqual({ model: 'gemini-2.5-pro', cacheOnly: false, preferCache: false, blocked: false, reason: '' });

    await spend(0.35);
    const preferring = await waitFor(async () => reader.plan(call), (p) => p.preferCache, 20_000, 'the prefer-cache step');
    expect(preferring).toEqual({ model: 'gemini-2.5-pro', cacheOnly: false, preferCache: true, blocked: false, reason: 'budget agent-daily (agent:laddered) at 35 %: ladder step prefer-cache from 30 %', budget: 'agent-daily', scope: 'agent:laddered' });

    await spend(0.2);
    const downgrading = await waitFor(async () => reader.plan(call), (p) => p.model !== 'gemini-2.5-pro', 20_000, 'the downgrade step');
    expect(downgrading).toMatchObject({ model: 'gemini-2.5-flash', preferCache: true, cacheOnly: false, blocked: false });

    // The shadow budget is at 110 %: blocked and at its block step — recorded, never enforced.
    const trialAlert = scopedAlertIdOf('agent-trial', 'agent:laddered', today().id, 1);
    await waitFor(async () => alerts.counts.get(trialAlert) ?? 0, (n) => n === 1, 20_000, 'the shadow EXCEEDED alert');
    expect(alerts.messages.find((m) => m.alertId === trialAlert)).toMatchObject({ shadow: true, severity: 'EXCEEDED', throttle: 'blocked', budgetId: 'agent-trial' });
    const flags = (await readScopeFlags(stack.db, ['agent:laddered'])).get('agent:laddered')!;
    expect(flags.budgets['agent-trial']).toMatchObject({ level: 'blocked', shadow: true, step: expect.objectContaining({ action: 'block', shadow: true }) });
    expect(flags.budgets['agent-big']).toMatchObject({ level: 'none', shadow: false, step: expect.objectContaining({ action: 'block', blocked: true, shadow: true }) });
    expect(reader.throttleLevel('AI_API_CALLS')).toBe('none');
    expect(reader.plan(call).blocked).toBe(false);

    await spend(0.2);
    const cacheOnly = await waitFor(async () => reader.plan(call), (p) => p.cacheOnly, 20_000, 'the cache-only step');
    expect(cacheOnly.reason).toBe('budget agent-daily (agent:laddered) at 75 %: ladder step cache-only from 70 %');
    expect(neighbourReader.plan(call)).toEqual({ model: 'gemini-2.5-pro', cacheOnly: false, preferCache: false, blocked: false, reason: '' });
  });

  it('shows the step in force per scope in budget status', async () => {
    const status = JSON.parse((await governor('budget', 'status', '--scope', 'agent:laddered', '--json')).stdout) as { budgets: { budget: string; scope: string; step: unknown; shadow: boolean; throttle: string }[] };
    expect(status.budgets.find((b) => b.budget === 'agent-daily')).toMatchObject({ scope: 'agent:laddered', step: { index: 2, action: 'cache-only', at: 0.7, shadow: false }, shadow: false, throttle: 'none' });
    expect(status.budgets.find((b) => b.budget === 'agent-trial')).toMatchObject({ step: { action: 'block', shadow: true }, shadow: true, throttle: 'blocked' });
    const human = (await governor('budget', 'status', '--scope', 'agent:laddered')).stdout;
    expect(human).toMatch(/agent-daily\s+agent:laddered .* 75\.0%\s+none\s+-\s+cache-only/);
    expect(human).toMatch(/agent-trial \(shadow\)\s+agent:laddered .* blocked\s+\S+\s+block \(shadow\)/);
  });

  it('lifts the steps when the budget is raised', async () => {
    expect((await governor('budget', 'set', '10', '--scope', 'agent:*', '--window', 'day', '--id', 'agent-daily', '--ladder', ladder)).status).toBe(0);
    await waitFor(async () => reader.plan(call), (p) => !p.cacheOnly && !p.preferCache && p.model === 'gemini-2.5-pro', 20_000, 'the steps lifted');
    const flags = (await readScopeFlags(stack.db, ['agent:laddered'])).get('agent:laddered')!;
    expect(flags.budgets['agent-daily']?.step).toBeNull();
  });
});
