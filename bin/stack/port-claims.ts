import { createServer } from 'node:net';

/** A fixed port the stack is about to listen on, and who needs it. */
export interface PortClaim {
  port: number;
  /** What would listen there, e.g. `Pub/Sub emulator`, `function spend-aggregator`. */
  label: string;
  /** Which setting chose the port, so the caller can say which variable moves it. */
  setting: 'pubsub' | 'firestore' | 'functions' | 'mail-smtp' | 'mail-web';
}

export interface TakenPort extends PortClaim {
  /** Why it cannot be bound, e.g. `EADDRINUSE`. */
  code: string;
}

/** Thrown before anything starts when a fixed port is already bound by someone else. */
export class PortsInUseError extends Error {
  constructor(readonly taken: readonly TakenPort[]) {
    super(taken.map((t) => `port ${t.port} (${t.label}) is ${t.code === 'EADDRINUSE' ? 'already in use' : `not available (${t.code})`}`).join('; '));
    this.name = 'PortsInUseError';
  }
}

/** Why `port` cannot be bound on `host` right now (`EADDRINUSE`, …), or undefined when it can. */
export function portProblem(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks every claimed port at once, before any child starts. Without it an emulator started on a
 * taken port dies with a Java stack trace — or worse, the readiness probe reaches the other stack's
 * emulator and this one reports ready on a port it does not hold.
 */
export async function assertPortsFree(claims: readonly PortClaim[], host = '127.0.0.1'): Promise<void> {
  const problems = await Promise.all(claims.map((c) => portProblem(c.port, host)));
  const taken = claims.flatMap((c, i) => (problems[i] ? [{ ...c, code: problems[i] as string }] : []));
  if (taken.length > 0) throw new PortsInUseError(taken);
}
