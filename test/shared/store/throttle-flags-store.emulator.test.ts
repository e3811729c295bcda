import { Firestore } from '@google-cloud/firestore';
import { withBudget } from '../../../shared/budget/budget-config';
import { loadBudgetConfig, updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { applyFlags, readFlags } from '../../../shared/store/throttle-flags-store';
import { testProjectId } from '../../support/test-stack';

const PERIOD = '2026-11';
const flag = (level: 'none' | 'throttled' | 'blocked') => ({ level, ratio: 1, spentMicros: 1, budgetMicros: 1, setAt: '2026-11-20T00:00:00.000Z' });

describe('throttle flags store (Firestore emulator)', () => {
  let db: Firestore;

  beforeAll(() => {
    db = new Firestore({ projectId: testProjectId() });
  });
  afterAll(async () => {
    await db.terminate();
  });

  describe('applyFlags', () => {
    it('raises, never lowers under one config, re-stamps a flag left alone under a new config, and refuses an old config', async () => {
      await updateBudgetConfig(db, (c) => withBudget(c, 'COMPUTE', 1_000_000));
      const v1 = (await loadBudgetConfig(db)).version;
      expect(await applyFlags(db, PERIOD, { COMPUTE: flag('blocked'), TOTAL: flag('none') }, v1)).toMatchObject({ status: 'written', levels: { COMPUTE: 'blocked', TOTAL: 'none' } });
      // An evaluation that read older spend cannot lower it under the same config.
      expect(await applyFlags(db, PERIOD, { COMPUTE: flag('throttled') }, v1)).toEqual({ status: 'written', changes: {}, levels: { COMPUTE: 'blocked' } });

      await updateBudgetConfig(db, (c) => withBudget(c, 'COMPUTE', 2_000_000));
      const v2 = (await loadBudgetConfig(db)).version;
      expect(await applyFlags(db, PERIOD, { COMPUTE: flag('throttled') }, v1)).toEqual({ status: 'stale-config' });
      // Still blocked under the new config: no level change, but the flag now carries v2…
      expect(await applyFlags(db, PERIOD, { COMPUTE: flag('blocked') }, v2)).toEqual({ status: 'written', changes: {}, levels: { COMPUTE: 'blocked' } });
      const stored = (await readFlags(db, PERIOD)).budgets.COMPUTE;
      expect(stored).toMatchObject({ level: 'blocked', configVersion: v2, setAt: '2026-11-20T00:00:00.000Z' });
      // …so an evaluation under v2 that read older spend cannot lower it either.
      expect(await applyFlags(db, PERIOD, { COMPUTE: flag('none') }, v2)).toEqual({ status: 'written', changes: {}, levels: { COMPUTE: 'blocked' } });
      expect((await readFlags(db, PERIOD)).budgets.COMPUTE?.level).toBe('blocked');
    });

    it('lowers a flag stamped with an older config (a raised budget)', async () => {
      const period = '2026-10';
      const v1 = (await loadBudgetConfig(db)).version;
      await applyFlags(db, period, { STORAGE: flag('blocked') }, v1);
      await updateBudgetConfig(db, (c) => withBudget(c, 'STORAGE', 50_000_000));
      const v2 = (await loadBudgetConfig(db)).version;
      const lowered = await applyFlags(db, period, { STORAGE: flag('none') }, v2);
      expect(lowered).toMatchObject({ status: 'written', changes: { STORAGE: { level: 'none', configVersion: v2 } }, levels: { STORAGE: 'none' } });
      expect((await readFlags(db, period)).budgets.STORAGE?.level).toBe('none');
    });
  });
});
