import { newEventId } from '../../shared/contracts/event-id';
import { createLogger } from '../../shared/logging/logger';
import type { OperatorDeps } from '../../functions/common/operator/operator-actions';
import { runAction } from '../../functions/dashboard/action-routes';
import { readLiveSections } from '../../functions/dashboard/dashboard-sections';
import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { loadBreakerConfig } from '../../shared/store/breaker-config-store';
import { activeTrips } from '../../shared/store/runaway-trips-store';
import { createThrottleReader, type ThrottleReader } from '../../shared/throttle/throttle-reader';
import { governorCli } from '../support/governor-cli';
import { probeAlerts } from '../support/spend-helpers';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

const LOOP_HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('burn-rate breaker on the local stack (issue 23)', () => {
  let stack: TestStack;
  const governor = governorCli(() => stack.clientEnv);
  const publishers: GovernorPublisher[] = [];
  const readers: ThrottleReader[] = [];
  let alerts: Awaited<ReturnType<typeof probeAlerts>>;

  const agent = async (source: string, attribution: { team?: string; tenant?: string } = {}) => {
    const publisher = createPublisher({ projectId: stack.projectId, source, attribution, exitHook: false, batching: { maxMilliseconds: 5 } });
    const reader = await createThrottleReader({ projectId: stack.projectId, firestore: stack.db, publisher }).ready();
    publishers.push(publisher);
    readers.push(reader);
    return { publisher, reader };
  };
  const runawayAlerts = (scope: string) => alerts.messages.filter((m) => m.kind === 'runaway' && m.scope === scope);
  const tick = () => stack.pubsub.topic(stack.topology.topics.budgetTicks).publishMessage({ json: { tick: 'budgets' } });

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator', 'budget-evaluator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    alerts = await probeAlerts(stack.pubsub, stack.topology.topics.alerts);
    // Every agent: $1/min floor, 10× its baseline, a loop past 5 repeats; a one-minute cool-down keeps the test short.
    expect((await governor('breaker', 'set', '--scope', 'agent:*', '--floor', '1', '--multiple', '10', '--loop-repeats', '5', '--cooldown', '1m')).stdout).toContain('added breaker agent-all: agent:* trips above $1.00/min and 10× its baseline over 60s');
    // Every tenant, in shadow: records what it would do, pauses nothing.
    expect((await governor('breaker', 'set', '--scope', 'tenant:*', '--floor', '0.5', '--shadow')).status).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await alerts?.close();
    await Promise.all(readers.map((r) => r.close()));
    await Promise.all(publishers.map((p) => p.close()));
    await stack?.close();
  });

  it('refuses bad rules naming the flag, and changes nothing', async () => {
    const before = (await loadBreakerConfig(stack.db)).config;
    const bad = await governor('breaker', 'set', '--scope', 'agent:*', '--floor', 'lots');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--floor "lots" is not an amount in USD');
    expect((await governor('breaker', 'set', '--scope', 'crew:x', '--floor', '1')).stderr).toContain('--scope "crew:x" is not a scope');
    expect((await governor('breaker', 'set', '--floor', '1', '--window', 'soon')).stderr).toContain('--window "soon" is not a duration');
    expect((await governor('breaker', 'set', '--floor', '1', '--multiple', '0.5')).stderr).toContain('--multiple: Too small');
    expect((await governor('breaker', 'remove', 'nope')).stderr).toContain('no breaker rule "nope"');
    expect((await loadBreakerConfig(stack.db)).config).toEqual(before);
  });

  it('pauses a bursting agent alone, with one runaway alert naming its rate and models', async () => {
    const burster = await agent('burster', { team: 'search' });
    const neighbour = await agent('burster-neighbour', { team: 'search' });
    // $3 in a few seconds: $3/min over the 60 s window, above the $1 floor (no baseline yet).
    for (let i = 0; i < 30; i++) burster.publisher.recordCost({ category: 'AI_API_CALLS', usd: 0.1 });
    neighbour.publisher.recordCost({ category: 'AI_API_CALLS', usd: 0.1 });
    await Promise.all([burster.publisher.flush(), neighbour.publisher.flush()]);
    await waitFor(async () => burster.reader.throttleLevel('AI_API_CALLS'), (l) => l === 'paused', 30_000, 'the burster paused');
    expect(burster.reader.why('STORAGE')).toMatchObject({ level: 'paused', budget: 'breaker:agent-all', scope: 'agent:burster', window: 'breaker', breaker: { ruleId: 'agent-all', reason: 'rate' } });
    expect(burster.reader.why('STORAGE').breaker?.rateMicrosPerMinute).toBeGreaterThan(1_000_000);
    expect(neighbour.reader.throttleLevel('AI_API_CALLS')).toBe('none');
    await waitFor(async () => runawayAlerts('agent:burster').length, (n) => n === 1, 20_000, 'the runaway alert');
    expect(runawayAlerts('agent:burster')[0]).toMatchObject({ kind: 'runaway', severity: 'CRITICAL', shadow: false, ruleId: 'agent-all', reason: 'rate', baselineFrom: 'none', floorMicrosPerMinute: 1_000_000 });
    const status = JSON.parse((await governor('breaker', 'status', '--json')).stdout) as { tripped: { scope: string; rateUsdPerMinute: number; shadow: boolean; reason: string; since: string; until: string }[]; rules: { id: string }[] };
    expect(status.tripped.find((t) => t.scope === 'agent:burster')).toMatchObject({ shadow: false, reason: 'rate' });
    expect(status.rules.map((r) => r.id).sort()).toEqual(['agent-all', 'tenant-all']);
  }, 60_000);

  it('pauses an agent that repeats one prompt (a loop) while its team neighbour keeps none', async () => {
    const looper = await agent('looper', { team: 'ads' });
    const neighbour = await agent('looper-neighbour', { team: 'ads' });
    // Cheap calls, far under the floor: only the repetition trips it.
    for (let i = 0; i < 8; i++) looper.publisher.recordAiUsage({ model: 'gemini-2.5-flash', inputTokens: 100, outputTokens: 10, promptHash: LOOP_HASH });
    for (let i = 0; i < 8; i++) neighbour.publisher.recordAiUsage({ model: 'gemini-2.5-flash', inputTokens: 100, outputTokens: 10, promptHash: `${i}`.padStart(32, 'f') });
    await Promise.all([looper.publisher.flush(), neighbour.publisher.flush()]);
    await waitFor(async () => looper.reader.throttleLevel('AI_API_CALLS'), (l) => l === 'paused', 30_000, 'the looper paused');
    expect(looper.reader.why('AI_API_CALLS').breaker).toMatchObject({ ruleId: 'agent-all', reason: 'loop' });
    await waitFor(async () => runawayAlerts('agent:looper').length, (n) => n === 1, 20_000, 'the loop alert');
    expect(runawayAlerts('agent:looper')[0]).toMatchObject({ reason: 'loop', topPrompts: [{ model: 'gemini-2.5-flash', promptHash: LOOP_HASH }] });
    // Tripped at the first look past 5 repeats: the calls committed by then (6 to 8).
    const calls = (runawayAlerts('agent:looper')[0]?.topPrompts as { calls: number }[])[0]?.calls ?? 0;
    expect(calls).toBeGreaterThan(5);
    expect(calls).toBeLessThanOrEqual(8);
    expect(neighbour.reader.throttleLevel('AI_API_CALLS')).toBe('none');
    expect(runawayAlerts('agent:looper-neighbour')).toHaveLength(0);
  }, 60_000);

  it('never trips on a steady fleet with normal jitter', async () => {
    const fleet = await Promise.all(Array.from({ length: 12 }, (_, i) => agent(`steady-${i}`, { team: `crew-${i % 3}` })));
    // Each agent spends $0.002–$0.006 twice a second for 8 s (about $0.50/min, ±50 %): jittery, under the floor.
    for (let round = 0; round < 16; round++) {
      for (const { publisher } of fleet) publisher.recordCost({ category: 'COMPUTE', amountMicros: 2_000 + Math.floor(Math.random() * 4_000) });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await Promise.all(fleet.map((a) => a.publisher.flush()));
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(fleet.map((a) => a.reader.throttleLevel('COMPUTE'))).toEqual(fleet.map(() => 'none'));
    expect((await activeTrips(stack.db)).filter((t) => t.scope.startsWith('agent:steady-'))).toEqual([]);
    expect(alerts.messages.filter((m) => m.kind === 'runaway' && String(m.scope).startsWith('agent:steady-'))).toEqual([]);
  }, 60_000);

  it('records a shadow rule\'s trip, with its alert marked shadow, and pauses nobody', async () => {
    const shadowed = await agent('shadowed', { tenant: 'acme' });
    // $0.90 in seconds: above the tenant rule's $0.50 floor (and 10× the fleet's ~$0.06 a minute), under the agent rule's $1.
    for (let i = 0; i < 9; i++) shadowed.publisher.recordCost({ category: 'OTHER', usd: 0.1 });
    await shadowed.publisher.flush();
    await waitFor(async () => runawayAlerts('tenant:acme').length, (n) => n === 1, 30_000, 'the shadow alert');
    expect(runawayAlerts('tenant:acme')[0]).toMatchObject({ shadow: true, severity: 'WARNING', ruleId: 'tenant-all', reason: 'rate' });
    const status = JSON.parse((await governor('breaker', 'status', '--json')).stdout) as { tripped: { scope: string; shadow: boolean }[] };
    expect(status.tripped.find((t) => t.scope === 'tenant:acme')).toMatchObject({ shadow: true });
    expect(shadowed.reader.throttleLevel('OTHER')).toBe('none');
    expect((await stack.db.collection('governor_scope_flags').doc(encodeURIComponent('tenant:acme')).get()).get('breakers')).toBeUndefined();
  }, 60_000);

  it('lifts a pause when an operator resets it', async () => {
    const looper = readers[publishers.findIndex((p) => p.identity().source === 'looper')] as ThrottleReader;
    expect(looper.throttleLevel('AI_API_CALLS')).toBe('paused');
    const reset = await governor('breaker', 'reset', 'agent:looper');
    expect(reset.stdout).toContain('reset agent:looper (agent-all)');
    await waitFor(async () => looper.throttleLevel('AI_API_CALLS'), (l) => l === 'none', 20_000, 'the looper resumed');
    expect((await governor('breaker', 'reset', 'agent:looper')).stderr).toContain('no breaker is tripped on agent:looper');
  }, 60_000);

  it('raises exactly one alert for a burst delivered three times, counting its spend once', async () => {
    const events = Array.from({ length: 15 }, () => ({ eventId: newEventId(), schemaVersion: 1, type: 'cost', source: 'redelivered', occurredAt: new Date().toISOString(), payload: { category: 'NETWORK', amountMicros: 100_000 } }));
    for (let copy = 0; copy < 3; copy++) await Promise.all(events.map((e) => stack.pubsub.topic(stack.topology.topics.cost).publishMessage({ json: e })));
    await waitFor(async () => runawayAlerts('agent:redelivered').length, (n) => n >= 1, 30_000, 'the redelivered burst alert');
    // Settle: a second trip or alert would show within a few evaluations and a tick.
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(runawayAlerts('agent:redelivered')).toHaveLength(1);
    // $1.50 once (not $4.50): the rate at the trip is at most what was spent once.
    expect(runawayAlerts('agent:redelivered')[0]?.rateMicrosPerMinute).toBeLessThanOrEqual(1_500_000);
    expect(runawayAlerts('agent:redelivered')[0]?.rateMicrosPerMinute).toBeGreaterThan(1_000_000);
  }, 60_000);

  it("lists the trips on the dashboard, shadow ones marked, and lifts one with the dashboard's Reset", async () => {
    const live = await readLiveSections(stack.db, new Date(), { ledgerBuckets: new Map() }, 0);
    expect(live.runaway.find((t) => t.scope === 'agent:redelivered')).toMatchObject({ ruleId: 'agent-all', shadow: false, reason: 'rate' });
    expect(live.runaway.find((t) => t.scope === 'tenant:acme')).toMatchObject({ ruleId: 'tenant-all', shadow: true });
    const deps = { db: stack.db, log: createLogger({ component: 'test', level: 'silent' }) } as unknown as OperatorDeps;
    expect(await runAction('/api/breaker/reset', { scope: 'agent:redelivered' }, deps)).toEqual({ status: 200, message: 'reset the breaker of agent:redelivered (agent-all)' });
    expect(await runAction('/api/breaker/reset', { scope: 'agent:redelivered' }, deps)).toEqual({ status: 400, error: 'no breaker is tripped on agent:redelivered (see governor breaker status)' });
    expect((await readLiveSections(stack.db, new Date(), { ledgerBuckets: new Map() }, 0)).runaway.some((t) => t.scope === 'agent:redelivered')).toBe(false);
  }, 60_000);

  it('clears a pause once its cool-down has passed (the budget tick)', async () => {
    const burster = readers[publishers.findIndex((p) => p.identity().source === 'burster')] as ThrottleReader;
    const trip = (await activeTrips(stack.db)).find((t) => t.scope === 'agent:burster');
    expect(trip).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (trip?.until ?? 0) - Date.now() + 500)));
    await tick();
    await waitFor(async () => (await activeTrips(stack.db)).some((t) => t.scope === 'agent:burster'), (active) => !active, 20_000, 'the trip cleared by the tick');
    expect(burster.throttleLevel('AI_API_CALLS')).toBe('none');
    expect((await stack.db.collection('governor_runaway_trips').doc(`agent-all|${encodeURIComponent('agent:burster')}`).get()).get('clearedBy')).toBe('cooldown');
  }, 120_000);
});
