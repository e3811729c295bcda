import { accessRefusal, isLoopbackAddress, isLoopbackHost } from '../../../functions/dashboard/access-policy';

describe('access policy', () => {
  describe('accessRefusal', () => {
    it('lets loopback peers with loopback host names in, locally', () => {
      for (const [remoteAddress, host] of [['127.0.0.1', '127.0.0.1:8189'], ['::1', '[::1]:8189'], ['::ffff:127.0.0.1', 'localhost:8189']]) {
        expect(accessRefusal('loopback', { remoteAddress, host })).toBeUndefined();
      }
    });

    it('refuses other peers and rebound host names locally, and leaves the check to IAM when deployed', () => {
      expect(accessRefusal('loopback', { remoteAddress: '10.0.0.7', host: '127.0.0.1:8189' })).toMatch(/loopback clients only \(this one is 10\.0\.0\.7\)/);
      expect(accessRefusal('loopback', { remoteAddress: '127.0.0.1', host: 'attacker.example' })).toMatch(/loopback host names/);
      expect(accessRefusal('loopback', { remoteAddress: undefined, host: 'localhost' })).toBeDefined();
      expect(accessRefusal('iam', { remoteAddress: '10.0.0.7', host: 'dashboard-xyz.a.run.app' })).toBeUndefined();
    });
  });

  describe('isLoopbackAddress / isLoopbackHost', () => {
    it('knows 127.0.0.0/8, ::1 and localhost, and nothing else', () => {
      expect(isLoopbackAddress('127.8.9.10')).toBe(true);
      expect(isLoopbackAddress('128.0.0.1')).toBe(false);
      expect(isLoopbackAddress('::2')).toBe(false);
      expect(isLoopbackHost('app.localhost:80')).toBe(true);
      expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
      expect(isLoopbackHost(undefined)).toBe(false);
    });
  });
});
