import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { dashboardOptions } from '../../../functions/dashboard/dashboard-options';
import { LiveState, type DashboardView } from '../../../functions/dashboard/live-state';
import { createLogger } from '../../../shared/logging/logger';
import { secretManagerClient } from '../../../shared/secrets/secret-manager-client';
import { updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { withBudget } from '../../../shared/budget/budget-config';
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
});
