import { Firestore } from '@google-cloud/firestore';
import { withBudget } from '../../../shared/budget/budget-config';
import { loadBudgetConfig, updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { applyScopeFlags, flaggedScopeInstances, readScopeFlags } from '../../../shared/store/scope-flags-store';
import { testProjectId } from '../../support/test-stack';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-20T10:30:00Z');

const flag = (level: 'none' | 'throttled' | 'blocked', windowEnd: number) => ({
  level,
  budgetId: 'per-agent',
  windowId: '2026-11-20T10',
  windowEnd,
  ratio: 0.96,
  spentMicros: 960,
  budgetMicros: 1000,
  setAt: new Date(NOW).toISOString(),
});

describe('scope flags store (Firestore emulator)', () => {
  let db: Firestore;

  beforeAll(() => {
    db = new Firestore({ projectId: testProjectId() });
  });
  afterAll(async () => {
    await db.terminate();
  });

  it('marks a scope no longer flagged once every raised flag’s window has ended, so the tick stops re-reading it', async () => {
    await updateBudgetConfig(db, (c) => withBudget(c, 'COMPUTE', 5_000_000));
    const version = (await loadBudgetConfig(db)).version;
    const instance = `agent:ended-window-${Date.now()}`;
    const windowEnd = NOW + HOUR / 2;

    await applyScopeFlags(db, instance, { 'per-agent': flag('throttled', windowEnd) }, version, NOW);
    expect((await readScopeFlags(db, [instance])).get(instance)).toMatchObject({ flagged: true });
    expect((await flaggedScopeInstances(db)).map((d) => d.scope)).toContain(instance);

    // Nothing changes a level after the window ends (no spend in it): the document still stops being `flagged`.
    const outcome = await applyScopeFlags(db, instance, {}, version, windowEnd + 1);
    expect(outcome).toEqual({ status: 'written', changes: {}, levels: {}, steps: {} });
    const doc = (await readScopeFlags(db, [instance])).get(instance);
    expect(doc).toMatchObject({ flagged: false, budgets: { 'per-agent': { level: 'throttled', windowEnd } } });
    expect((await flaggedScopeInstances(db)).map((d) => d.scope)).not.toContain(instance);
  });

  it('leaves a flag of a window still running flagged', async () => {
    const version = (await loadBudgetConfig(db)).version;
    const instance = `agent:running-window-${Date.now()}`;
    await applyScopeFlags(db, instance, { 'per-agent': flag('blocked', NOW + HOUR) }, version, NOW);
    await applyScopeFlags(db, instance, {}, version, NOW + 1000);
    expect((await readScopeFlags(db, [instance])).get(instance)).toMatchObject({ flagged: true, budgets: { 'per-agent': { level: 'blocked' } } });
  });
});
