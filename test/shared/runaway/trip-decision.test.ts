import { breakerRuleSchema, parseBreakerConfig } from '../../../shared/runaway/breaker-rule';
import { BurnWindow } from '../../../shared/runaway/burn-window';
import { MinuteTally } from '../../../shared/runaway/minute-tally';
import { baselineMinutes, updatePeerHistory, windowMicrosOf } from '../../../shared/runaway/minute-history';
import { baselineOf, decideTrip, isSuspect, medianOf } from '../../../shared/runaway/trip-decision';

const rule = breakerRuleSchema.parse({ id: 'agent-all', floorMicrosPerMinute: 1_000_000 });
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

describe('breaker rule', () => {
  it('fills the defaults: every agent, 10×, 60 s, 15 min, a loop past 20 repeats, enforced', () => {
    expect(rule).toEqual({ id: 'agent-all', scope: 'agent:*', floorMicrosPerMinute: 1_000_000, multiple: 10, windowSeconds: 60, cooldownMinutes: 15, loopRepeats: 20, loopWindowSeconds: 60, shadow: false });
  });

  it('refuses a bad stored config naming the field', () => {
    expect(() => parseBreakerConfig({ rules: [{ id: 'a', scope: 'crew:x', floorMicrosPerMinute: 1 }] })).toThrow(/rules\.0\.scope: "crew:x" is not a scope/);
    expect(() => parseBreakerConfig({ rules: [{ id: 'a', floorMicrosPerMinute: 0 }] })).toThrow(/rules\.0\.floorMicrosPerMinute/);
    expect(() => parseBreakerConfig({ rules: [{ id: 'a', floorMicrosPerMinute: 1 }, { id: 'a', floorMicrosPerMinute: 2 }] })).toThrow(/rules\.1\.id: "a" is used twice/);
  });
});

describe('decideTrip', () => {
  const none = { microsPerMinute: 0, from: 'none' as const };
  it('trips on rate only above both the floor and the multiple of the baseline', () => {
    expect(decideTrip(rule, { micros: 900_000 }, none)).toEqual({ trip: false });
    expect(decideTrip(rule, { micros: 1_500_000 }, { microsPerMinute: 200_000, from: 'own' })).toEqual({ trip: false });
    expect(decideTrip(rule, { micros: 2_500_000 }, { microsPerMinute: 200_000, from: 'own' })).toMatchObject({ trip: true, reason: 'rate', rateMicrosPerMinute: 2_500_000 });
    expect(decideTrip(rule, { micros: 1_100_000 }, none)).toMatchObject({ trip: true, reason: 'rate' });
  });

  it('trips on a loop past K repeats of one (model, prompt hash), however cheap', () => {
    const topCall = { model: 'gemini-2.5-flash', promptHash: 'ab'.repeat(16), calls: 21 };
    expect(decideTrip(rule, { micros: 10, topCall }, none)).toMatchObject({ trip: true, reason: 'loop', loop: topCall });
    expect(decideTrip(rule, { micros: 10, topCall: { ...topCall, calls: 20 } }, none)).toEqual({ trip: false });
    expect(isSuspect(rule, { micros: 10, topCall })).toBe(true);
    expect(decideTrip({ ...rule, loopRepeats: 0 }, { micros: 10, topCall }, none)).toEqual({ trip: false });
  });
});

describe('baselines', () => {
  it("uses the scope's own median active minute once it has 5, else its team's, else the fleet's — or its short history when higher", () => {
    expect(baselineOf([100, 0, 300, 200, 400, 500], {})).toEqual({ microsPerMinute: 300, from: 'own' });
    expect(baselineOf([10, 20], { team: { name: 'search', microsPerMinute: 50 }, fleet: 70 })).toEqual({ microsPerMinute: 50, from: 'team:search' });
    expect(baselineOf([100, 200], { team: { name: 'search', microsPerMinute: 50 }, fleet: 70 })).toEqual({ microsPerMinute: 150, from: 'own' });
    expect(baselineOf([], { fleet: 70 })).toEqual({ microsPerMinute: 70, from: 'fleet' });
    expect(baselineOf([], {})).toEqual({ microsPerMinute: 0, from: 'none' });
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves the minutes of the judged window out of the baseline, and prorates a partial minute', () => {
    const now = T0 + 30_000;
    const minutes = [0, 1, 2, 3].map((i) => ({ minute: T0 - i * 60_000, micros: 600 }));
    expect(baselineMinutes(minutes, now, 60)).toEqual([600, 600]);
    // Window [T0-30 s, T0+30 s]: half of the previous minute, all that is stored of the current one.
    expect(windowMicrosOf(minutes, now, 60)).toBe(900);
  });

  it("keeps the peers' per-minute medians for an hour", () => {
    const first = updatePeerHistory({ fleet: [], teams: {} }, T0, [{ micros: 10, team: 'a' }, { micros: 30, team: 'a' }, { micros: 100, team: 'b' }]);
    expect(first.baselines).toEqual({ fleet: 30, teams: { a: 20, b: 100 } });
    const later = updatePeerHistory(first.history, T0 + 3_600_000, [{ micros: 5, team: 'a' }]);
    expect(later.baselines).toEqual({ fleet: 5, teams: { a: 5 } });
  });
});

describe('BurnWindow', () => {
  it('sums the window, counts repeated prompts in the loop window and forgets past the horizon', () => {
    const w = new BurnWindow(120);
    for (let i = 0; i < 30; i++) w.add('agent:a', T0 + i * 1000, 1000, { model: 'm', promptHash: 'h1' });
    w.add('agent:a', T0 + 5_000, 5000, { model: 'n' });
    const reading = w.read('agent:a', 60, 10, T0 + 29_500);
    expect(reading).toMatchObject({ micros: 35_000, events: 31, topCall: { model: 'm', promptHash: 'h1', calls: 10 } });
    expect(reading.models).toEqual([{ model: 'm', micros: 30_000, calls: 30 }, { model: 'n', micros: 5000, calls: 1 }]);
    w.prune(T0 + 200_000);
    expect(w.instances()).toEqual([]);
  });
});

describe('MinuteTally', () => {
  it('sums a minute per scope instance until drained, keeping only repeated prompts, and takes back a failed write', () => {
    const tally = new MinuteTally();
    tally.add('agent:a', T0 + 1_000, 400, { model: 'm', promptHash: 'h' }, 'search');
    tally.add('agent:a', T0 + 2_000, 600, { model: 'm', promptHash: 'h' }, 'search');
    tally.add('agent:a', T0 + 3_000, 5, { model: 'm', promptHash: 'once' }, 'search');
    tally.add('agent:a', T0 + 61_000, 1);
    const drained = tally.drain();
    expect(drained).toEqual([
      { instance: 'agent:a', minute: T0, team: 'search', micros: 1_005, events: 3, models: { m: 1_005 }, calls: { 'm|h': 2 } },
      { instance: 'agent:a', minute: T0 + 60_000, micros: 1, events: 1, models: {}, calls: {} },
    ]);
    expect(tally.size).toBe(0);
    tally.restore(drained);
    tally.add('agent:a', T0 + 4_000, 10);
    expect(tally.drain()[0]).toMatchObject({ micros: 1_015, events: 4 });
  });
});
