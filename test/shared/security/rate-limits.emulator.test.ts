import { RateLimits } from '../../../shared/security/rate-limits';

/** Runs against the real redis-server the test setup started (GOVERNOR_TEST_REDIS_URL). */
describe('RateLimits on Redis', () => {
  const redisUrl = () => {
    const url = process.env.GOVERNOR_TEST_REDIS_URL;
    if (!url) throw new Error('GOVERNOR_TEST_REDIS_URL is not set: is redis-server installed?');
    return url;
  };

  it('shares one limit between processes (two limiters, one Redis)', async () => {
    const rules = { user: { points: 4, durationSeconds: 60, blockDurationSeconds: 120 } };
    const keyPrefix = `test-${Date.now()}`;
    const a = new RateLimits({ rules, redisUrl: redisUrl(), keyPrefix });
    const b = new RateLimits({ rules, redisUrl: redisUrl(), keyPrefix });
    try {
      await Promise.all([a.ready(), b.ready()]);
      expect(a.backend).toBe('redis');
      for (let i = 0; i < 2; i++) expect((await a.consume({ user: 'alice' })).allowed).toBe(true);
      for (let i = 0; i < 2; i++) expect((await b.consume({ user: 'alice' })).allowed).toBe(true);
      const refused = await a.consume({ user: 'alice' });
      expect(refused).toMatchObject({ allowed: false, dimension: 'user' });
      // Blocked for blockDurationSeconds once exceeded.
      expect(refused.retryAfterSeconds).toBeGreaterThan(100);
      expect(await b.status('user', 'alice')).toMatchObject({ limit: 4, remainingPoints: 0 });
      expect((await b.consume({ user: 'bob' })).allowed).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps limiting in memory while Redis is unreachable', async () => {
    const limits = new RateLimits({ rules: { ip: { points: 2, durationSeconds: 60, blockDurationSeconds: 0 } }, redisUrl: 'redis://127.0.0.1:9', keyPrefix: 'down' });
    try {
      expect((await limits.consume({ ip: '198.51.100.9' })).allowed).toBe(true);
      expect((await limits.consume({ ip: '198.51.100.9' })).allowed).toBe(true);
      expect((await limits.consume({ ip: '198.51.100.9' })).allowed).toBe(false);
    } finally {
      await limits.close();
    }
  });
});
