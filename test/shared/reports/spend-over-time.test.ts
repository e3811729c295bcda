import { dayBoundaries, paceOf, WatchedSpend } from '../../../shared/reports/spend-over-time';

const start = Date.UTC(2026, 11, 1);
const end = Date.UTC(2027, 0, 1);
const line = (spentMicros: number, windowId = '2026-12-07') => ({
  budget: 'agent-daily',
  scope: 'agent:alpha',
  windowId,
  windowStart: new Date(Date.UTC(2026, 11, 7)).toISOString(),
  windowEnd: new Date(Date.UTC(2026, 11, 8)).toISOString(),
  budgetMicros: 1_000_000,
  spentMicros,
});

describe('spend over time', () => {
  describe('paceOf', () => {
    it('runs from nothing at the window start to the whole budget at its end', () => {
      expect(paceOf(start, end, 31_000_000)).toEqual([
        { at: start, spentMicros: 0 },
        { at: end, spentMicros: 31_000_000 },
      ]);
    });
  });

  describe('dayBoundaries', () => {
    it('lists the UTC midnights strictly inside the window', () => {
      const days = dayBoundaries(start, end);
      expect(days).toHaveLength(30);
      expect(days[0]).toBe(start + 86_400_000);
      expect(days.at(-1)).toBe(end - 86_400_000);
    });
  });

  describe('WatchedSpend.record', () => {
    it('draws from (window start, 0) through each total read, and starts over in a new window', () => {
      const watched = new WatchedSpend();
      const t0 = Date.UTC(2026, 11, 7, 10);
      watched.record(line(200_000), t0);
      const curve = watched.record(line(500_000), t0 + 60_000);
      expect(curve.points).toEqual([
        { at: Date.UTC(2026, 11, 7), spentMicros: 0 },
        { at: t0, spentMicros: 200_000 },
        { at: t0 + 60_000, spentMicros: 500_000 },
      ]);
      expect(curve.pace).toEqual([
        { at: Date.UTC(2026, 11, 7), spentMicros: 0 },
        { at: Date.UTC(2026, 11, 8), spentMicros: 1_000_000 },
      ]);
      expect(curve.source).toBe('watched');
      const next = watched.record({ ...line(10_000, '2026-12-08'), windowStart: new Date(Date.UTC(2026, 11, 8)).toISOString(), windowEnd: new Date(Date.UTC(2026, 11, 9)).toISOString() }, Date.UTC(2026, 11, 8, 1));
      expect(next.points).toEqual([
        { at: Date.UTC(2026, 11, 8), spentMicros: 0 },
        { at: Date.UTC(2026, 11, 8, 1), spentMicros: 10_000 },
      ]);
    });

    it('keeps at most maxSamples per window, thinning the middle and keeping the newest', () => {
      const watched = new WatchedSpend(4);
      let curve = watched.record(line(0), 1);
      for (let i = 2; i <= 9; i++) curve = watched.record(line(i * 1000), i);
      expect(curve.points.length - 1).toBeLessThanOrEqual(4);
      expect(curve.points.at(-1)).toEqual({ at: 9, spentMicros: 9000 });
    });

    it('forgets scopes no viewer watches', () => {
      const watched = new WatchedSpend();
      watched.record(line(100), 1);
      watched.retain(new Set(['team:search']));
      expect(watched.record(line(300), 2).points).toEqual([
        { at: Date.UTC(2026, 11, 7), spentMicros: 0 },
        { at: 2, spentMicros: 300 },
      ]);
    });
  });
});
