import { newEventId } from '../../shared/contracts/event-id';
import { withScopedBudget } from '../../shared/budget/budget-config';
import { windowOf } from '../../shared/budget/budget-window';
import { counterKeyOf, scopedBudgetSchema } from '../../shared/budget/scoped-budget';
import { scopedAlertIdOf } from '../../shared/budget/scoped-evaluation';
import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { readScopeTotals } from '../../shared/store/scope-spend';
import { createThrottleReader, type ThrottleReader } from '../../shared/throttle/throttle-reader';
import { probeAlerts } from '../support/spend-helpers';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { topSpenders } from '../../shared/reports/scope-report';
import { budgetReport } from '../../shared/reports/budget-status';
import { PRICE_TABLE } from '../../shared/pricing/price-data';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const today = () => windowOf('day', 'UTC', new Date());

describe('scoped budgets on the local stack (issue 22)', () => {
  let stack: TestStack;
  let looper: GovernorPublisher;
  let neighbour: GovernorPublisher;
  let readers: ThrottleReader[];
  let alerts: Awaited<ReturnType<typeof probeAlerts>>;

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    await updateBudgetConfig(stack.db, (c) =>
      withScopedBudget(
        withScopedBudget(c, scopedBudgetSchema.parse({ id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000 })),
        scopedBudgetSchema.parse({ id: 'team-monthly', scope: 'team:*', window: 'month', amountMicros: 5_000_000 }),
      ),
    );
    const attribution = { team: 'search', tenant: 'acme', tags: ['nightly'] };
    looper = createPublisher({ projectId: stack.projectId, source: 'looper', attribution, exitHook: false, batching: { maxMilliseconds: 5 } });
    neighbour = createPublisher({ projectId: stack.projectId, source: 'neighbour', attribution, exitHook: false, batching: { maxMilliseconds: 5 } });
    readers = await Promise.all([looper, neighbour].map((p) => createThrottleReader({ projectId: stack.projectId, firestore: stack.db, publisher: p }).ready()));
    alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
  });
  afterAll(async () => {
    await alerts?.close();
    await Promise.all((readers ?? []).map((r) => r.close()));
    await Promise.all([looper?.close(), neighbour?.close()]);
    await stack?.close();
  });

  it('warns, then throttles a looping agent alone while its neighbour goes on', async () => {
    const [looperReader, neighbourReader] = readers as [ThrottleReader, ThrottleReader];
    for (let i = 0; i < 17; i++) looper.recordCost({ category: 'AI_API_CALLS', usd: 0.05 });
    await looper.flush();
    const warning = scopedAlertIdOf('agent-daily', 'agent:looper', today().id, 0.8);
    await waitFor(async () => alerts.counts.get(warning) ?? 0, (n) => n === 1, 30_000, 'the WARNING of agent:looper');
    expect(alerts.messages.find((m) => m.alertId === warning)).toMatchObject({ severity: 'WARNING', scope: 'agent:looper', budgetId: 'agent-daily', window: 'day', windowId: today().id, budgetMicros: 1_000_000, category: 'TOTAL' });
    // Raised by the crossing event (or, when several share a commit, one of them): 80 % to 85 %.
    expect(alerts.messages.find((m) => m.alertId === warning)?.costMicros).toBeGreaterThanOrEqual(800_000);
    expect(looperReader.throttleLevel('AI_API_CALLS')).toBe('none');

    looper.recordCost({ category: 'AI_API_CALLS', usd: 0.11 });
    await looper.flush();
    await waitFor(async () => looperReader.throttleLevel('AI_API_CALLS'), (l) => l === 'throttled', 20_000, 'the looper throttled');
    expect(looperReader.why('STORAGE')).toMatchObject({ level: 'throttled', budget: 'agent-daily', scope: 'agent:looper', window: 'day', windowId: today().id });
    expect(neighbourReader.throttleLevel('AI_API_CALLS')).toBe('none');
    expect(neighbourReader.why('AI_API_CALLS')).toMatchObject({ level: 'none', scope: 'fleet' });

    // The neighbour's spend goes on; the team's month counts both.
    neighbour.recordCost({ category: 'STORAGE', usd: 0.5 });
    await neighbour.flush();
    const team = counterKeyOf('team-monthly', 'team:search', windowOf('month', 'UTC', new Date()).id);
    await waitFor(async () => (await readScopeTotals(stack.db, [team])).totals[team], (t) => t === 1_460_000, 20_000, 'the team total');
    expect(neighbourReader.throttleLevel('STORAGE')).toBe('none');
  });

  it('counts an event delivered three times once in every scope it falls under', async () => {
    const event = { eventId: newEventId(), schemaVersion: 1, type: 'cost', source: 'redelivered', occurredAt: new Date().toISOString(), payload: { category: 'NETWORK', amountMicros: 123_456, attribution: { team: 'ads' } } };
    for (let i = 0; i < 3; i++) await stack.pubsub.topic(stack.topology.topics.cost).publishMessage({ json: event });
    const agent = counterKeyOf('agent-daily', 'agent:redelivered', today().id);
    const team = counterKeyOf('team-monthly', 'team:ads', windowOf('month', 'UTC', new Date()).id);
    await waitFor(async () => (await readScopeTotals(stack.db, [agent, team])).totals, (t) => t[agent] === 123_456 && t[team] === 123_456, 20_000, 'the scoped totals');
    // Settle: a double count would show shortly after.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await readScopeTotals(stack.db, [agent, team])).totals).toEqual({ [agent]: 123_456, [team]: 123_456 });
  });

  it('ranks the top spenders with their budget and flag, and names the agents that spend most against their peers', async () => {
    // Three more agents of the same team, as their own publishers would record them.
    for (const quiet of ['quiet-1', 'quiet-2', 'quiet-3']) {
      const p = createPublisher({ projectId: stack.projectId, source: quiet, attribution: { team: 'search' }, exitHook: false });
      p.recordCost({ category: 'OTHER', usd: 0.01 });
      await p.close();
    }
    await looper.flush();
    const { config } = await loadBudgetConfig(stack.db);
    const top = await waitFor(() => topSpenders(stack.db, config, new Date(), { by: 'agent', limit: 10 }), (t) => t.entries.some((e) => e.scope === 'agent:quiet-3'), 20_000, 'the quiet agents counted');
    expect(top.entries[0]).toMatchObject({ scope: 'agent:looper', budget: 'agent-daily', budgetMicros: 1_000_000, throttle: 'throttled' });
    expect(top.entries.map((e) => e.scope).slice(0, 2)).toEqual(['agent:looper', 'agent:neighbour']);
    expect(top.entries[0]?.shadow).toBeUndefined();
    // The same budget tried in shadow: ranked alike, each entry marked (its flag is never enforced).
    const shadowed = { ...config, scoped: (config.scoped ?? []).map((b) => (b.id === 'agent-daily' ? { ...b, shadow: true } : b)) };
    const shadowTop = await topSpenders(stack.db, shadowed, new Date(), { by: 'agent', limit: 10 });
    expect(shadowTop.entries[0]).toMatchObject({ scope: 'agent:looper', budget: 'agent-daily', shadow: true });
    const report = await budgetReport(stack.db, PRICE_TABLE);
    const outliers = report.recommendations.filter((r) => r.kind === 'peer-outlier');
    expect(outliers[0]).toMatchObject({ kind: 'peer-outlier', budget: 'agent-daily', scope: 'agent:looper', spentMicros: 960_000 });
    expect(outliers.map((o) => (o.kind === 'peer-outlier' ? o.scope : '')).includes('agent:quiet-1')).toBe(false);
    await expect(topSpenders(stack.db, config, new Date(), { by: 'tenant' })).rejects.toThrow('no tenant budget counts spend per tenant: add one, e.g. governor budget set 100 --scope tenant:* --window day');
  });

  it('refuses an event with a bad attribution, naming the field, before it leaves the agent', () => {
    expect(() => looper.recordCost({ category: 'OTHER', usd: 1, attribution: { team: 'no spaces allowed' } })).toThrow(/payload\.attribution\.team/);
    expect(() => createPublisher({ projectId: stack.projectId, source: 'x', attribution: { tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }, exitHook: false })).toThrow(/attribution\.tags: at most 8 tags/);
  });
});
