import { z } from 'zod';
import { RateLimits } from '../../../shared/security/rate-limits';
import { createRequestGuard } from '../../../shared/security/request-guard';
import { safeText } from '../../../shared/security/request-schemas';
import { securityHeaders } from '../../../shared/security/security-headers';
import type { SecurityEventInput } from '../../../shared/contracts/security-event';
import { LogLimiter } from '../../../functions/security-monitor/log-limiter';

class EventLog {
  readonly events: SecurityEventInput[] = [];
  recordSecurityEvent(input: SecurityEventInput) {
    this.events.push(input);
  }
}

describe('security headers', () => {
  it("are helmet's defaults with framing denied", () => {
    const h = securityHeaders();
    expect(h['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(h['Content-Security-Policy']).toContain("default-src 'self'");
    expect(h['Content-Security-Policy']).toContain("frame-ancestors 'self'");
  });
});

describe('RateLimits (in memory)', () => {
  it('refuses past the points with the time to retry, and reports status', async () => {
    const limits = new RateLimits({ rules: { ip: { points: 3, durationSeconds: 60, blockDurationSeconds: 30 } } });
    expect(limits.backend).toBe('memory');
    for (let i = 0; i < 3; i++) expect((await limits.consume({ ip: '198.51.100.1' })).allowed).toBe(true);
    const refused = await limits.consume({ ip: '198.51.100.1' });
    expect(refused).toMatchObject({ allowed: false, dimension: 'ip' });
    expect(refused.retryAfterSeconds).toBeGreaterThan(25);
    expect(await limits.status('ip', '198.51.100.1')).toMatchObject({ limit: 3, remainingPoints: 0 });
    expect(await limits.status('ip', '198.51.100.2')).toMatchObject({ remainingPoints: 3 });
    await limits.close();
  });

  it('refuses bad rules, naming them', () => {
    expect(() => new RateLimits({ rules: { ip: { points: 0, durationSeconds: 60, blockDurationSeconds: 0 } } })).toThrow(/rules\.ip\.points/);
  });
});

describe('RequestGuard.check (plain-function form)', () => {
  const schema = z.object({ prompt: safeText() });

  it('allows a valid request with the security headers', async () => {
    const guard = createRequestGuard({ schema });
    const decision = await guard.check({ ip: '198.51.100.7', body: { prompt: "What's new in Gemini?" } });
    expect(decision).toMatchObject({ allowed: true, value: { prompt: "What's new in Gemini?" } });
    expect(decision.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('answers 400 naming field and rule, and emits INVALID_INPUT', async () => {
    const events = new EventLog();
    const guard = createRequestGuard({ schema, events });
    const decision = await guard.check({ ip: '198.51.100.7', userId: 'u1', apiKeyId: 'k7Gq2', body: { prompt: "' UNION SELECT password FROM users--" } });
    expect(decision).toMatchObject({ allowed: false, status: 400, body: { error: 'invalid_input', violations: [{ field: 'prompt', rule: 'sql-injection' }] } });
    expect(events.events).toEqual([expect.objectContaining({ kind: 'INVALID_INPUT', ip: '198.51.100.7', userId: 'u1', apiKeyId: 'k7Gq2', details: { rules: 'sql-injection', fields: 'prompt' } })]);
  });

  it('answers 429 with Retry-After over the limit, emitting RATE_LIMIT_EXCEEDED — and never records a key pasted as the key id', async () => {
    const events = new EventLog();
    const guard = createRequestGuard({ events, rateLimits: new RateLimits({ rules: { apiKey: { points: 1, durationSeconds: 60, blockDurationSeconds: 0 } } }) });
    const pasted = 'gov_k7Gq2_c2VjcmV0LWtleS1tYXRlcmlhbC1oZXJl';
    expect((await guard.check({ apiKeyId: pasted })).allowed).toBe(true);
    const decision = await guard.check({ apiKeyId: pasted });
    expect(decision).toMatchObject({ allowed: false, status: 429, body: { error: 'rate_limited' } });
    expect(Number(decision.headers['Retry-After'])).toBeGreaterThan(0);
    expect(events.events).toHaveLength(1);
    expect(JSON.stringify(events.events)).not.toContain(pasted);
  });
});

describe('LogLimiter', () => {
  it('admits the first lines of a key per minute and reports what it held back', () => {
    const limiter = new LogLimiter(2);
    const t = Date.parse('2026-11-26T12:00:10Z');
    expect([1, 2, 3, 4].map(() => limiter.admit('ip_1', t).log)).toEqual([true, true, false, false]);
    expect(limiter.admit('ip_1', t + 60_000)).toEqual({ log: true, suppressedBefore: 2 });
  });
});
