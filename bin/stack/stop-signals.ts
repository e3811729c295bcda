import { constants } from 'node:os';
import { STOP_SIGNALS, type StopSignal } from './live-groups';

/** The reason a start-up was aborted: a stop signal arrived. */
export class StopSignalError extends Error {
  constructor(readonly signal: StopSignal) {
    super(`${signal} received`);
    this.name = 'StopSignalError';
  }

  /** The shell's convention for "ended by this signal": 128 + its number (SIGINT: 130). */
  get exitCode(): number {
    return 128 + constants.signals[this.signal];
  }
}

/**
 * Calls `onStop` on the first SIGINT, SIGTERM or SIGHUP and ignores later ones: a Ctrl-C under
 * `npm start` arrives twice (from the terminal and forwarded by npm), and the stop under way
 * is bounded anyway. Returns a function that removes the handlers.
 */
export function onStopSignals(onStop: (signal: StopSignal) => void): () => void {
  let stopped = false;
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (stopped) return;
      stopped = true;
      onStop(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}
