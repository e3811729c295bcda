import { CsrfSecretError, CsrfTokens, cookieValue } from '../../../functions/dashboard/csrf-tokens';

describe('CsrfTokens', () => {
  const tokens = new CsrfTokens('a'.repeat(32));

  describe('refusal', () => {
    it('accepts a header that repeats a signed cookie token', () => {
      const t = tokens.issue();
      expect(tokens.refusal(t, t)).toBeUndefined();
    });

    it('refuses a missing header, a missing cookie, a mismatch and a token another secret signed', () => {
      const t = tokens.issue();
      expect(tokens.refusal(t, undefined)).toMatch(/missing CSRF token/);
      expect(tokens.refusal(undefined, t)).toMatch(/missing CSRF cookie/);
      expect(tokens.refusal(t, tokens.issue())).toMatch(/invalid CSRF token/);
      const foreign = new CsrfTokens('b'.repeat(32)).issue();
      expect(tokens.refusal(foreign, foreign)).toMatch(/invalid CSRF token/);
      expect(tokens.refusal('x.y', 'x.y')).toMatch(/invalid CSRF token/);
    });
  });

  describe('isSigned', () => {
    it('tells its own tokens from altered or malformed ones', () => {
      const t = tokens.issue();
      expect(tokens.isSigned(t)).toBe(true);
      expect(tokens.isSigned(`${t}x`)).toBe(false);
      expect(tokens.isSigned(`${t}.extra`)).toBe(false);
      expect(tokens.isSigned('')).toBe(false);
      expect(tokens.isSigned(undefined)).toBe(false);
    });
  });

  describe('constructor', () => {
    it('refuses a short secret, and makes a random one when none is given', () => {
      expect(() => new CsrfTokens('short')).toThrow(CsrfSecretError);
      const a = new CsrfTokens();
      expect(new CsrfTokens().isSigned(a.issue())).toBe(false);
    });
  });
});

describe('cookieValue', () => {
  it('finds one cookie among several', () => {
    expect(cookieValue('a=1; governor_csrf=abc.def; b=2', 'governor_csrf')).toBe('abc.def');
    expect(cookieValue('a=1', 'governor_csrf')).toBeUndefined();
    expect(cookieValue(undefined, 'governor_csrf')).toBeUndefined();
  });
});
