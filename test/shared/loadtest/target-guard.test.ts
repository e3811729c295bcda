import { assertLoopbackOrAllowed, isLoopbackAddress, RemoteTargetError } from '../../../shared/loadtest/target-guard';

describe('target guard', () => {
  it('knows the loopback range', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '203.0.113.5', '::ffff:8.8.8.8', '2001:db8::1']) expect(isLoopbackAddress(a)).toBe(false);
  });

  it('refuses a remote host unless allowed, and accepts loopback names', async () => {
    await expect(assertLoopbackOrAllowed('203.0.113.5', false)).rejects.toThrow(RemoteTargetError);
    await expect(assertLoopbackOrAllowed('203.0.113.5', false)).rejects.toThrow(/--allow-remote/);
    await expect(assertLoopbackOrAllowed('203.0.113.5', true)).resolves.toBeUndefined();
    await expect(assertLoopbackOrAllowed('localhost', false)).resolves.toBeUndefined();
    await expect(assertLoopbackOrAllowed('127.0.0.1', false)).resolves.toBeUndefined();
  });
});
