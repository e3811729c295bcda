import { LoadPlanError, parseDurationSeconds, parseStages, planDurationMilliseconds, resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import { PROFILES, PROFILE_NAMES } from '../../../shared/loadtest/profiles';

describe('profiles', () => {
  it('carries the seed numbers: baseline 10 users 60 s, stress to 100 over 300 s, spike 5× to 200, endurance 50 for 1 h, scalability 10 → 500', () => {
    const total = (n: (typeof PROFILE_NAMES)[number]) => PROFILES[n].stages.reduce((t, s) => t + s.durationSeconds, 0);
    expect(PROFILES.baseline.stages).toEqual([{ users: 10, durationSeconds: 60 }]);
    expect(Math.max(...PROFILES.stress.stages.map((s) => s.users))).toBe(100);
    expect(total('stress')).toBe(300);
    const spikeUsers = PROFILES.spike.stages.map((s) => s.users);
    expect(Math.max(...spikeUsers)).toBe(200);
    expect(Math.max(...spikeUsers) / Math.min(...spikeUsers)).toBe(5);
    expect(total('endurance')).toBe(3600);
    expect(new Set(PROFILES.endurance.stages.map((s) => s.users))).toEqual(new Set([50]));
    const scal = PROFILES.scalability.stages.map((s) => s.users);
    expect([scal[0], scal[scal.length - 1]]).toEqual([10, 500]);
    expect([...scal].sort((a, b) => a - b)).toEqual(scal);
  });
});

describe('resolveLoadPlan', () => {
  it('takes a profile as it is by default, in the open model at 1 request/s per user', () => {
    const plan = resolveLoadPlan('baseline');
    expect(plan).toMatchObject({ profile: 'baseline', model: 'open', ratePerUser: 1, stages: [{ users: 10, durationSeconds: 60 }] });
  });

  it('scales every stage so the peak is --rate requests/s, and durations to --duration', () => {
    const plan = resolveLoadPlan('stress', { peak: 400, durationSeconds: 60 });
    expect(plan.stages.map((s) => s.users)).toEqual([100, 200, 300, 400]);
    expect(plan.stages.map((s) => s.durationSeconds)).toEqual([15, 15, 15, 15]);
  });

  it('scales durations by the --quick factor with at least a second per stage', () => {
    expect(resolveLoadPlan('baseline', { quickFactor: 0.05 }).stages[0]!.durationSeconds).toBe(3);
    expect(resolveLoadPlan('spike', { quickFactor: 0.01 }).stages.map((s) => s.durationSeconds)).toEqual([1, 1, 1, 1, 1]);
    expect(planDurationMilliseconds(resolveLoadPlan('endurance', { quickFactor: 0.005 }))).toBe(18_000);
  });

  it('replaces the stages with --stages and rounds users in the closed model', () => {
    const plan = resolveLoadPlan('custom', { stages: '2.4:500ms,7:1m', model: 'closed' });
    expect(plan.profile).toBe('custom');
    expect(plan.stages).toEqual([{ users: 2, durationSeconds: 0.5 }, { users: 7, durationSeconds: 60 }]);
  });

  it('refuses an unknown profile, bad stages, runs longer than 6 h and a zero request cap', () => {
    expect(() => resolveLoadPlan('soak')).toThrow(/"soak" is not a profile: baseline, stress/);
    expect(() => parseStages('10')).toThrow(LoadPlanError);
    expect(() => parseStages('0:10s')).toThrow(/users must be a positive number/);
    expect(() => parseDurationSeconds('ten')).toThrow(/not a duration/);
    expect(() => resolveLoadPlan('baseline', { durationSeconds: 7 * 3600 })).toThrow(/at most 21600 s/);
    expect(() => resolveLoadPlan('baseline', { maxRequests: 0 })).toThrow(/max-requests/);
    expect(() => resolveLoadPlan('baseline', { quickFactor: 2 })).toThrow(/quick/);
  });
});
