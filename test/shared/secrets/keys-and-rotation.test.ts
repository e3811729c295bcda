import crc32c from 'crc-32/crc32c';
import { apiKeyIdSchema } from '../../../shared/contracts/security-event';
import { generateApiKey, keyIdOf } from '../../../shared/secrets/api-key';
import { parseRotationConfig, planRotation, type VersionInfo } from '../../../shared/secrets/rotation-policy';
import { SecretIntegrityError, verifyCrc32c } from '../../../shared/secrets/secret-cache';

const H = 3_600_000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const settings = { periodHours: 24, graceHours: 2, retention: 3 };
const v = (number: number, state: VersionInfo['state'], ageHours: number): VersionInfo => ({ number, state, createTime: NOW - ageHours * H });

describe('API keys', () => {
  it('are 256-bit random with a public id that logs and events may carry', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
    for (const { key, keyId } of keys) {
      expect(key).toMatch(/^gov_[0-9A-Za-z]{10}_[A-Za-z0-9_-]{43}$/);
      expect(keyIdOf(key)).toBe(keyId);
      expect(apiKeyIdSchema.safeParse(keyId).success).toBe(true);
      expect(apiKeyIdSchema.safeParse(key).success).toBe(false);
    }
    expect(keyIdOf('not-a-key')).toBeUndefined();
  });
});

describe('planRotation', () => {
  it('rotates when the newest version is a period old, or forced, but not twice within the minimum interval', () => {
    expect(planRotation([v(1, 'ENABLED', 23)], settings, NOW).rotate).toBe(false);
    expect(planRotation([v(1, 'ENABLED', 24)], settings, NOW).rotate).toBe(true);
    expect(planRotation([], settings, NOW).rotate).toBe(true);
    expect(planRotation([v(1, 'ENABLED', 1)], settings, NOW, { force: true, minIntervalMilliseconds: 60_000 }).rotate).toBe(true);
    expect(planRotation([v(1, 'ENABLED', 0.001)], settings, NOW, { force: true, minIntervalMilliseconds: 60_000 }).rotate).toBe(false);
    expect(planRotation([v(1, 'ENABLED', 5)], settings, NOW).nextRotationAt).toBe(NOW + 19 * H);
  });

  it('keeps the previous version for the grace window, then disables it', () => {
    expect(planRotation([v(2, 'ENABLED', 1), v(1, 'ENABLED', 25)], settings, NOW).disable).toEqual([]);
    expect(planRotation([v(2, 'ENABLED', 2), v(1, 'ENABLED', 26)], settings, NOW).disable).toEqual([1]);
  });

  it('never disables the newest enabled version, whatever the states', () => {
    const plan = planRotation([v(3, 'DISABLED', 30), v(2, 'ENABLED', 60), v(1, 'ENABLED', 90)], settings, NOW);
    expect(plan.disable).toEqual([1]);
    expect(planRotation([v(1, 'ENABLED', 1000)], settings, NOW).disable).toEqual([]);
  });

  it('destroys only disabled versions beyond the retention count', () => {
    const plan = planRotation([v(5, 'ENABLED', 1), v(4, 'ENABLED', 25), v(3, 'DISABLED', 50), v(2, 'DISABLED', 75), v(1, 'DESTROYED', 100)], settings, NOW);
    expect(plan).toMatchObject({ disable: [], destroy: [2] });
  });

  it('validates settings, naming the field', () => {
    expect(() => parseRotationConfig({ secrets: { k: { periodHours: 1, graceHours: 2, retention: 3 } } })).toThrow(/secrets\.k\.graceHours/);
    expect(() => parseRotationConfig({ secrets: { k: { periodHours: 1, graceHours: 0.5, retention: 1 } } })).toThrow(/retention/);
    expect(() => parseRotationConfig({ secrets: { 'bad name!': { periodHours: 1, graceHours: 0.5, retention: 2 } } })).toThrow(/secrets/);
  });
});

describe('verifyCrc32c', () => {
  it('accepts a matching checksum and refuses a mismatch or a missing one', () => {
    const data = Buffer.from('gov_abcdefghij_secret');
    expect(() => verifyCrc32c(data, crc32c.buf(data) >>> 0)).not.toThrow();
    expect(() => verifyCrc32c(data, String(crc32c.buf(data) >>> 0))).not.toThrow();
    expect(() => verifyCrc32c(data, (crc32c.buf(data) ^ 1) >>> 0)).toThrow(SecretIntegrityError);
    expect(() => verifyCrc32c(data, undefined)).toThrow('no CRC32C');
  });
});
