import { FlagView } from '../../../../functions/common/budget/flag-view';

describe('FlagView', () => {
  describe('level', () => {
    it('is the level a transaction saw under the config version asked for, unknown under another', () => {
      const view = new FlagView();
      expect(view.level('2026-11', 'COMPUTE', 7)).toBeUndefined();
      view.record('2026-11', 7, { COMPUTE: 'throttled', TOTAL: 'none' });
      expect(view.level('2026-11', 'COMPUTE', 7)).toBe('throttled');
      expect(view.level('2026-11', 'TOTAL', 7)).toBe('none');
      expect(view.level('2026-11', 'STORAGE', 7)).toBeUndefined();
      expect(view.level('2026-11', 'COMPUTE', 8)).toBeUndefined();
      expect(view.level('2026-10', 'COMPUTE', 7)).toBeUndefined();
    });
  });

  describe('record', () => {
    it('keeps the higher of two levels seen under one version (stored levels only rise under it)', () => {
      const view = new FlagView();
      view.record('2026-11', 7, { COMPUTE: 'blocked' });
      view.record('2026-11', 7, { COMPUTE: 'throttled' });
      expect(view.level('2026-11', 'COMPUTE', 7)).toBe('blocked');
    });

    it('starts over under a new version: a lowered flag after a raised budget is seen as it is', () => {
      const view = new FlagView();
      view.record('2026-11', 7, { COMPUTE: 'blocked', TOTAL: 'none' });
      view.record('2026-11', 9, { COMPUTE: 'none' });
      expect(view.level('2026-11', 'COMPUTE', 9)).toBe('none');
      expect(view.level('2026-11', 'TOTAL', 9)).toBeUndefined();
    });
  });
});
