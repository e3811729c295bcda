import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
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
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  const child = spawn(options.command, options.args, {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  return {
    name: options.name,
    child,
    tail: () => lines.join('\n'),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      signalGroup(child.pid, 'SIGKILL');
      await exited;
    },
    freeze: () => child.pid !== undefined && signalGroup(child.pid, 'SIGSTOP'),
    thaw: () => child.pid !== undefined && signalGroup(child.pid, 'SIGCONT'),
    async stop(graceMilliseconds = 5000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      // A frozen group would ignore SIGTERM until continued.
      signalGroup(child.pid, 'SIGCONT');
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), graceMilliseconds);
      await exited;
      clearTimeout(timer);
      // The leader may exit before its children; make sure nothing of the group is left.
      signalGroup(child.pid, 'SIGKILL');
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}
