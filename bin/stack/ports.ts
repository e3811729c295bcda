import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; `signal` ends the wait early. */
export async function waitForPort(port: number, host: string, timeoutMilliseconds: number, label: string, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    signal?.throwIfAborted();
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${label} did not open ${host}:${port} within ${timeoutMilliseconds} ms`);
    await sleep(50, undefined, { signal });
  }
}

/** Resolves once an HTTP GET on the URL answers 200 (the emulators answer `Ok` on `/`); `signal` ends the wait early. */
export async function waitForHttpOk(url: string, timeoutMilliseconds: number, label: string, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(1000)]) : AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${label} did not answer ${url} within ${timeoutMilliseconds} ms`);
    await sleep(100, undefined, { signal });
  }
}
