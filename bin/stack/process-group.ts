import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { signalGroup, trackGroup, untrackGroup } from './live-groups';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the group's leader has exited (or could not be spawned). */
  readonly exited: Promise<void>;
  /** Last output lines, for error messages when the process dies early. */
  readonly tail: () => string;
  /** SIGTERM to the whole process group, SIGKILL after the grace period; resolves on exit. */
  stop(graceMilliseconds?: number): Promise<void>;
  /** SIGKILL to the group at once, as a crash would; resolves on exit. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT to the group: the process stops answering but keeps its state (failure tests). */
  freeze(): void;
  thaw(): void;
}

export interface StartProcessOptions extends Pick<SpawnOptions, 'env' | 'cwd'> {
  name: string;
  command: string;
  args: string[];
  /** Receives each output line (stdout and stderr); default keeps them only in the tail buffer. */
  onLine?: (line: string) => void;
}

const TAIL_LINES = 80;

/**
 * Starts a process in its own process group (`detached`), so stopping it also stops what it
 * started — a `gcloud … start` or a shell wrapper leaves its java child running otherwise.
 * The group is tracked until it exits: if this process ends first, it is killed (live-groups.ts).
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  const child = spawn(options.command, options.args, {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) {
    trackGroup(pid);
    // Once the leader is gone its id may be reused: the reaper must not signal it any more.
    child.once('exit', () => untrackGroup(pid));
  }
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      options.onLine?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('error', (error) => lines.push(`could not start ${options.command}: ${error.message}`));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || pid === undefined) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null || pid === undefined;
  let stopping: Promise<void> | undefined;

  return {
    name: options.name,
    child,
    exited,
    tail: () => lines.join('\n'),
    async kill() {
      if (gone()) return;
      signalGroup(pid as number, 'SIGKILL');
      await exited;
    },
    freeze: () => pid !== undefined && signalGroup(pid, 'SIGSTOP'),
    thaw: () => pid !== undefined && signalGroup(pid, 'SIGCONT'),
    stop(graceMilliseconds = 5000) {
      // One stop at a time: a second caller waits for the first instead of signalling again.
      stopping ??= (async () => {
        if (pid === undefined) return;
        // Long gone: its process id may belong to someone else by now, signal nothing.
        if (gone()) return;
        // A frozen group would ignore SIGTERM until continued.
        signalGroup(pid, 'SIGCONT');
        signalGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMilliseconds);
        await exited;
        clearTimeout(timer);
        // The leader may exit before its children; make sure nothing of the group is left.
        signalGroup(pid, 'SIGKILL');
      })();
      return stopping;
    },
  };
}

/** How a process ended, for error messages. */
function exitDescription(child: ChildProcess): string {
  return child.signalCode ? `was killed by ${child.signalCode}` : `exited with ${child.exitCode ?? 'no code (it could not start)'}`;
}

/**
 * Waits until `ready` (given a signal that aborts its polling) resolves, unless the process exits
 * or `signal` aborts first. On any failure the process group is stopped before the error is thrown,
 * so a starter never leaves a half-started process behind.
 */
export async function untilReady(managed: ManagedProcess, ready: (signal: AbortSignal) => Promise<unknown>, signal?: AbortSignal): Promise<void> {
  const polling = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void managed.exited.then(() => signal.removeEventListener('abort', onAbort));
    polling.signal.addEventListener('abort', () => signal.removeEventListener('abort', onAbort), { once: true });
  });
  const died = managed.exited.then(() => {
    throw new Error(`${managed.name} ${exitDescription(managed.child)} while starting:\n${managed.tail()}`);
  });
  try {
    await Promise.race([ready(polling.signal), died, aborted]);
    // Ready and aborted in the same tick: the abort wins, the caller will not track this process.
    signal?.throwIfAborted();
  } catch (error) {
    await managed.stop();
    throw error;
  } finally {
    polling.abort();
    died.catch(() => undefined);
    aborted.catch(() => undefined);
  }
}
