import { connect } from 'node:net';
import { lookup } from 'node:dns';
import { promises as dnsPromises } from 'node:dns';
import { createServer } from 'node:http';

// The preload is installed by jest's setupFiles for every test file; this proves it bites.
describe('loopback-only test preload', () => {
  it('refuses a TCP connection to a public address', async () => {
    const error = await new Promise<Error>((resolve) => {
      const socket = connect({ host: '8.8.8.8', port: 443 });
      socket.once('error', resolve);
      socket.once('connect', () => resolve(new Error('connected')));
    });
    expect(error.message).toContain('refused a non-loopback connection to 8.8.8.8');
  });

  it('refuses DNS lookups of public names, callback and promise forms', async () => {
    const callbackError = await new Promise<Error | null>((resolve) => lookup('pubsub.googleapis.com', (e) => resolve(e)));
    expect(callbackError?.message).toContain('pubsub.googleapis.com');
    await expect(dnsPromises.lookup('firestore.googleapis.com')).rejects.toThrow('non-loopback');
  });

  it('refuses fetch to a Google endpoint', async () => {
    const error = (await fetch('https://oauth2.googleapis.com/token').catch((e: unknown) => e)) as Error & { cause?: Error };
    expect(error.cause?.message).toContain('non-loopback');
  });

  it('lets loopback connections through', async () => {
    const server = createServer((_, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    server.close();
    expect(body).toBe('ok');
  });
});
