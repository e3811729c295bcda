import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** `Z` for a zombie: dead, holding nothing, waiting for its parent to reap it. */
  state: string;
  command: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Every process on the machine (Linux /proc). */
export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name sits in parentheses and may hold spaces: the fields follow its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = (read(`/proc/${entry}/cmdline`) ?? '').replace(/\0/g, ' ').trim();
    processes.push({ pid: Number(entry), state: fields[0] as string, ppid: Number(fields[1]), pgrp: Number(fields[2]), command });
  }
  return processes;
}

/** True when the process's environment holds `marker` (`NAME=value`); unreadable counts as no. */
export function hasEnvMarker(pid: number, marker: string): boolean {
  return (read(`/proc/${pid}/environ`) ?? '').split('\0').includes(marker);
}

/**
 * Watches a process and everything it starts, recording every process group any of them is in
 * (children in their own groups included), polling /proc until `stop()`.
 */
export class ProcessTreeWatcher {
  readonly groups = new Set<number>();
  readonly seen = new Map<number, ProcessInfo>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly rootPid: number, intervalMilliseconds = 50) {
    this.poll();
    this.timer = setInterval(() => this.poll(), intervalMilliseconds);
  }

  /** Processes seen so far whose command line matches. */
  matching(pattern: RegExp): ProcessInfo[] {
    return [...this.seen.values()].filter((p) => pattern.test(p.command));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    const all = listProcesses();
    const inTree = new Set([this.rootPid]);
    // Parents come before children in no guaranteed order: iterate until nothing new joins.
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of all) {
        if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
          inTree.add(p.pid);
          grew = true;
        }
      }
    }
    for (const p of all) {
      if (!inTree.has(p.pid)) continue;
      this.groups.add(p.pgrp);
      // A zombie's command line reads empty: keep what the live process showed.
      if (!this.seen.has(p.pid) || p.command) this.seen.set(p.pid, p);
    }
  }
}

/** Live (non-zombie) processes in any of `groups` or carrying `marker` in their environment. */
export function survivors(groups: ReadonlySet<number>, marker?: string): ProcessInfo[] {
  return listProcesses().filter((p) => p.state !== 'Z' && p.pid !== process.pid && (groups.has(p.pgrp) || (marker !== undefined && hasEnvMarker(p.pid, marker))));
}
