import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a port this process handed out is not handed out again (its user binds it meanwhile). */
const HANDED_OUT_MILLISECONDS = 10 * 60_000;
const handedOut = new Map<number, number>();

/** One port the OS picks for a listener on loopback, released at once. */
function osPickedPort(): Promise<number> {
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

/**
 * A TCP port free on loopback right now (the OS picks it), never one this process handed out in
 * the last 10 minutes: the OS may pick a port again as soon as it is released, and two of a
 * stack's processes given the same port would not both fail — the second dies on EADDRINUSE while
 * the first answers its readiness probe, and its subscription pushes to the wrong function.
 */
export async function freePort(): Promise<number> {
  const now = Date.now();
  for (const [port, at] of handedOut) if (at <= now - HANDED_OUT_MILLISECONDS) handedOut.delete(port);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await osPickedPort();
    if (handedOut.has(port)) continue;
    handedOut.set(port, now);
    return port;
  }
  throw new Error(`the OS picked only ports this process handed out in the last ${HANDED_OUT_MILLISECONDS / 60_000} minutes (${handedOut.size} of them)`);
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
