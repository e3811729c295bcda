/**
 * The process groups this process has started and not yet seen exit, with a last-resort reaper:
 * children run in their own process groups (so stopping one stops what it started), which also
 * means a Ctrl-C in the terminal never reaches them. If this process ends without stopping them
 * — `process.exit`, an uncaught error, or a signal nobody else handles — the reaper SIGKILLs
 * every group still listed, so no emulator outlives the process that started it.
 */
const live = new Set<number>();

/** Signals that end a process by default and that a terminal or a supervisor sends. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

let installed = false;

/** Sends `signal` to every process of the group led by `pid`; a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}

/** Records a group this process started; the reaper is installed on the first one. */
export function trackGroup(pid: number): void {
  live.add(pid);
  if (!installed) installReaper();
}

/** The group's leader has exited (its stop, if any, is done): nothing left to reap. */
export function untrackGroup(pid: number): void {
  live.delete(pid);
}

/** Groups started and not yet exited (process ids of their leaders). */
export function liveGroups(): number[] {
  return [...live];
}

/** SIGKILLs every live group at once (synchronous: safe in an `exit` handler). */
export function killLiveGroups(): void {
  for (const pid of live) signalGroup(pid, 'SIGKILL');
  live.clear();
}

function installReaper(): void {
  installed = true;
  process.once('exit', killLiveGroups);
  for (const signal of STOP_SIGNALS) {
    const reap = (): void => {
      // Someone else handles this signal (npm start's shutdown, jest): they stop the stack, and
      // the `exit` hook still catches what they miss.
      if (process.listenerCount(signal) > 1) return;
      killLiveGroups();
      // Nobody else listens: end the way the default action would have.
      process.removeListener(signal, reap);
      process.kill(process.pid, signal);
    };
    process.on(signal, reap);
  }
}
