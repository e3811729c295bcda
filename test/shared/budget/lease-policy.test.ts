import { desiredLeaseMicros, LEASE_POLICY_DEFAULTS, SpendRate } from '../../../shared/budget/lease-policy';

describe('lease policy', () => {
  describe('desiredLeaseMicros', () => {
    it('asks for room for a few calls when the spend rate is unknown', () => {
      expect(desiredLeaseMicros({ ...LEASE_POLICY_DEFAULTS }, 0, 1_000, 0)).toBe(8_000);
    });

    it('asks for the target lease time of the recent rate, plus what is carried over', () => {
      expect(desiredLeaseMicros({ ...LEASE_POLICY_DEFAULTS }, 5_000, 1_000, 300)).toBe(50_300);
      expect(desiredLeaseMicros({ ...LEASE_POLICY_DEFAULTS }, 10, 1_000, 0)).toBe(1_000);
    });
  });

  describe('SpendRate', () => {
    it('converges to the rate of a steady stream', () => {
      const rate = new SpendRate(10_000);
      for (let t = 1; t <= 100_000; t += 10) rate.record(50, t); // 50 µUSD every 10 ms = 5,000 µUSD/s
      expect(rate.perSecond(100_000)).toBeCloseTo(5_000, -2);
    });

    it('is right from the first seconds of a stream, not only after a few half-lives', () => {
      const rate = new SpendRate(10_000);
      for (let t = 1; t <= 1_000; t += 10) rate.record(50, t);
      expect(rate.perSecond(1_000)).toBeCloseTo(5_000, -2);
    });

    it('falls once spend stops', () => {
      const rate = new SpendRate(1_000);
      for (let t = 1; t <= 10_000; t += 10) rate.record(50, t);
      const before = rate.perSecond(10_000);
      expect(rate.perSecond(11_000) / before).toBeCloseTo(0.5, 1);
      expect(new SpendRate(1_000).perSecond(5)).toBe(0);
    });
  });
});
