import { OperatorError, parseBudgetKey, parseSubject, parseUsd } from '../../../../functions/common/operator/operator-actions';
import { runAction } from '../../../../functions/dashboard/action-routes';

describe('operator actions', () => {
  describe('parseBudgetKey', () => {
    it('accepts categories in any case and total', () => {
      expect(parseBudgetKey('ai_api_calls')).toBe('AI_API_CALLS');
      expect(parseBudgetKey(' Total ')).toBe('TOTAL');
    });
    it('refuses anything else, naming the budgets', () => {
      expect(() => parseBudgetKey('GPU')).toThrow(OperatorError);
      expect(() => parseBudgetKey('GPU')).toThrow(/"GPU" is not a category \(AI_API_CALLS, .*OTHER\) or total/);
    });
  });

  describe('parseUsd', () => {
    it('turns dollars into micro-USD, and refuses what is not an amount', () => {
      expect(parseUsd('150')).toBe(150_000_000);
      expect(parseUsd('12.345678')).toBe(12_345_678);
      for (const bad of ['abc', '-5', '1e3', '1.1234567', '', 'NaN']) expect(() => parseUsd(bad)).toThrow(/is not an amount in USD/);
    });
  });

  describe('parseSubject', () => {
    it('reads IPs and user ids, with or without a prefix', () => {
      expect(parseSubject('203.0.113.9')).toEqual({ type: 'ip', value: '203.0.113.9' });
      expect(parseSubject('ip:2001:db8::1')).toEqual({ type: 'ip', value: '2001:db8::1' });
      expect(parseSubject('user:alice')).toEqual({ type: 'user', value: 'alice' });
      expect(parseSubject('bob')).toEqual({ type: 'user', value: 'bob' });
    });
    it('refuses an empty subject and a bad IP', () => {
      expect(() => parseSubject(' ')).toThrow(OperatorError);
      expect(() => parseSubject('ip:999.1.1.1')).toThrow(/"999.1.1.1" is not an IP address/);
    });
  });

  describe('the dashboard actions (runAction)', () => {
    // A body the action refuses never reaches a store: these dependencies would throw if touched.
    const untouchable = new Proxy({}, { get: (_t, key) => { throw new Error(`touched ${String(key)}`); } }) as never;

    it('refuses a bad body with the field named, before any store is touched', async () => {
      expect(await runAction('/api/budget', { budget: 'STORAGE' }, untouchable)).toEqual({ status: 400, error: expect.stringContaining('usd:') });
      expect(await runAction('/api/bans/lift', { subject: 'x', extra: 1 }, untouchable)).toEqual({ status: 400, error: expect.stringContaining('extra') });
      expect(await runAction('/api/budget', { budget: 'STORAGE', usd: 'abc' }, untouchable)).toEqual({ status: 400, error: '"abc" is not an amount in USD (e.g. 150 or 12.50)' });
    });
  });
});
