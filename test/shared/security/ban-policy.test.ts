import { DEFAULT_BAN_POLICY, decideBan, isAllowListed, parseBanPolicy, subjectKey, type BanPolicy } from '../../../shared/security/ban-policy';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const ip = (value: string) => ({ type: 'ip' as const, value });
const policy: BanPolicy = { ...DEFAULT_BAN_POLICY, allowList: { ips: ['10.0.0.0/8', '2001:db8::/32', '127.0.0.1'], users: ['ops-bot'] } };

describe('ban policy', () => {
  describe('decideBan', () => {
    it('bans at maxretry failures, not before', () => {
      expect(decideBan(policy, ip('203.0.113.5'), 4, { bans: [] }, NOW)).toBeUndefined();
      expect(decideBan(policy, ip('203.0.113.5'), 5, { bans: [] }, NOW)).toEqual({ level: 'ban', durationSeconds: 600, offense: 1 });
    });

    it('escalates repeat offenders by the factor, up to the cap', () => {
      const longAgo = NOW - 3 * 86_400_000; // outside the recidive window
      expect(decideBan(policy, ip('203.0.113.5'), 5, { bans: [longAgo] }, NOW)).toEqual({ level: 'ban', durationSeconds: 1200, offense: 2 });
      expect(decideBan(policy, ip('203.0.113.5'), 5, { bans: Array(20).fill(longAgo) }, NOW)?.durationSeconds).toBe(7 * 86_400);
    });

    it('sends a subject banned recidive.maxretry times within its find time to the recidive jail', () => {
      const recent = [NOW - 3_600_000, NOW - 1_800_000];
      expect(decideBan(policy, ip('203.0.113.5'), 5, { bans: recent }, NOW)).toEqual({ level: 'recidive', durationSeconds: 7 * 86_400, offense: 3 });
    });

    it('never bans the allow-list (CIDR ranges, IPv6, users)', () => {
      for (const subject of [ip('10.1.2.3'), ip('2001:db8::1'), ip('127.0.0.1'), { type: 'user' as const, value: 'ops-bot' }]) {
        expect(isAllowListed(policy, subject)).toBe(true);
        expect(decideBan(policy, subject, 1000, { bans: [] }, NOW)).toBeUndefined();
      }
      expect(isAllowListed(policy, ip('11.0.0.1'))).toBe(false);
    });
  });

  describe('parseBanPolicy', () => {
    it('names a bad setting', () => {
      expect(() => parseBanPolicy({ ...DEFAULT_BAN_POLICY, maxretry: 0 })).toThrow(/maxretry/);
      expect(() => parseBanPolicy({ ...DEFAULT_BAN_POLICY, allowList: { ips: ['10.0.0.0/33'], users: [] } })).toThrow(/allowList\.ips\.0/);
      expect(() => parseBanPolicy({ ...DEFAULT_BAN_POLICY, countedKinds: ['NAPPING'] })).toThrow(/countedKinds/);
    });
  });

  it('makes document-safe subject keys', () => {
    expect(subjectKey(ip('2001:db8::1'))).toBe('ip_2001%3Adb8%3A%3A1');
    expect(subjectKey({ type: 'user', value: 'a/b.c' })).toBe('user_a%2Fb%2Ec');
  });
});
