import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { dashboardOptions } from '../../../functions/dashboard/dashboard-options';
import { LiveState, type DashboardView } from '../../../functions/dashboard/live-state';
import { createLogger } from '../../../shared/logging/logger';
import { secretManagerClient } from '../../../shared/secrets/secret-manager-client';
import { updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { withBudget, withScopedBudget } from '../../../shared/budget/budget-config';
import { windowOf } from '../../../shared/budget/budget-window';
import { counterKeyOf, scopedBudgetSchema } from '../../../shared/budget/scoped-budget';
import { COLLECTIONS } from '../../../shared/basics/collections';
import { loadTopology } from '../../../shared/topology/topology';
import { testProjectId, waitFor } from '../../support/test-stack';

const storageBudget = (v: DashboardView | undefined) => v?.live?.budget.budgets.find((b) => b.budget === 'STORAGE')?.budgetMicros;

describe('LiveState (one shared picture per instance)', () => {
  const projectId = testProjectId();
  const db = new Firestore({ projectId });
  const pubsub = new PubSub({ projectId });
  // Nothing is configured for rotation, so the client is never called.
  const secrets = secretManagerClient(projectId, { GOVERNOR_SECRET_MANAGER_ENDPOINT: '127.0.0.1:9' });
  const state = new LiveState({
    db,
    pubsub,
    projectId,
    topology: loadTopology({}),
    secretManager: () => secrets,
    log: createLogger({ component: 'live-state-test', level: 'silent' }),
    options: dashboardOptions({ debounceMilliseconds: 20, minRefreshMilliseconds: 50, backstopRefreshMilliseconds: 100, idleStopMilliseconds: 300 }),
  });
  const setStorage = (usd: number) => updateBudgetConfig(db, (c) => withBudget(c, 'STORAGE', usd * 1_000_000));

  afterAll(async () => {
    await state.close();
    await Promise.allSettled([db.terminate(), pubsub.close(), secrets.close()]);
  });

  it('pushes a change its listeners saw to every viewer, the same picture to each', async () => {
    const seen: DashboardView[][] = [[], [], []];
    const stops = seen.map((views, i) => state.subscribe(i === 2 ? '24h' : '1h', (v) => views.push(v)));
    await waitFor(async () => seen.every((views) => views.length > 0), Boolean, 10_000, 'first views');
    await setStorage(33);
    await waitFor(async () => seen.map((views) => storageBudget(views.at(-1))), (b) => b.every((m) => m === 33_000_000), 10_000, 'the new budget on every page');
    const last = seen.map((views) => views.at(-1) as DashboardView);
    // One read served all: the same live sections, each viewer with its own window's metrics.
    expect(last[0]!.live).toEqual(last[1]!.live);
    expect(last.map((v) => v.performance?.window.label)).toEqual(['1h', '1h', '24h']);
    for (const stop of stops) stop();
  });

  it('stops listening once idle, and shows the current state again on the next view', async () => {
    const seen: DashboardView[] = [];
    const stop = state.subscribe('1h', (v) => seen.push(v));
    await waitFor(async () => seen.length, (n) => n > 0, 10_000, 'a view');
    expect(state.running).toBe(true);
    stop();
    // No viewer for idleStopMilliseconds: the backstop timer stops the listeners and timers.
    await waitFor(async () => state.running, (r) => !r, 10_000, 'the idle stop');
    await setStorage(44);
    const view = await state.view('1h');
    expect(state.running).toBe(true);
    expect(storageBudget(view)).toBe(44_000_000);
  });

  it('drills into a scope for its viewers (the same picture to each), and samples its spend into a curve against the pace line', async () => {
    await updateBudgetConfig(db, (c) => withScopedBudget(c, scopedBudgetSchema.parse({ id: 'ls-agent-daily', scope: 'agent:*', window: 'day', amountMicros: 2_000_000 })));
    const day = windowOf('day', 'UTC', new Date());
    const counter = db.collection(COLLECTIONS.scopeSpend).doc('live-state-solo~0');
    const spend = (spentMicros: number) => counter.set({ counter: counterKeyOf('ls-agent-daily', 'agent:solo', day.id), budgetId: 'ls-agent-daily', scope: 'agent:solo', budgetWindow: `ls-agent-daily|${day.id}`, spentMicros });
    await spend(500_000);
    const seen: DashboardView[][] = [[], [], []];
    const stops = seen.map((views, i) => state.subscribe('1h', (v) => views.push(v), i < 2 ? 'agent:solo' : undefined));
    await waitFor(async () => seen[0]!.at(-1)?.drillDown?.lines[0]?.spentMicros, (m) => m === 500_000, 10_000, 'the drill-down');
    await spend(1_200_000);
    const curveOf = (v: DashboardView | undefined) => v?.drillDown?.curve?.points.map((p) => p.spentMicros);
    await waitFor(async () => [curveOf(seen[0]!.at(-1)), curveOf(seen[1]!.at(-1))], (c) => c.every((points) => points?.at(-1) === 1_200_000), 10_000, 'the new total on both pages');
    // From (window start, 0) through every total read while watched; the pace line spans the day.
    const curve = seen[0]!.at(-1)!.drillDown!.curve!;
    expect(curve.points[0]).toEqual({ at: day.start.getTime(), spentMicros: 0 });
    expect(curve.points.map((p) => p.spentMicros)).toContain(500_000);
    expect(curve.pace).toEqual([
      { at: day.start.getTime(), spentMicros: 0 },
      { at: day.end.getTime(), spentMicros: 2_000_000 },
    ]);
    expect(seen[0]!.at(-1)!.drillDown).toEqual(seen[1]!.at(-1)!.drillDown);
    // A viewer who chose no scope is sent none.
    expect(seen[2]!.at(-1)).toMatchObject({ scope: null, drillDown: null });
    for (const stop of stops) stop();
    await counter.delete();
  });
});
