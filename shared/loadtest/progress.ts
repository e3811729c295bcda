import { LatencyCell } from './latency-cell';
import type { Recording } from './recording';

/** What the progress bar shows, every interval. */
export interface ProgressSnapshot {
  elapsedSeconds: number;
  plannedSeconds: number;
  requests: number;
  failed: number;
  /** Over the last interval. */
  rps: number;
  p95Milliseconds: number | null;
}

/**
 * Takes the requests recorded since the last call (a cell that merges, so workers' windows add
 * up) and the running totals.
 */
export class ProgressTracker {
  private requests = 0;
  private failed = 0;
  private last: number;

  constructor(
    private readonly plannedSeconds: number,
    private readonly clock: () => number,
    private readonly startedAt: number,
  ) {
    this.last = startedAt;
  }

  /** Swaps the recording's window for an empty one and returns what it held. */
  static takeWindow(recording: Recording): LatencyCell {
    const w = recording.window;
    recording.window = new LatencyCell();
    return w;
  }

  snapshot(window: LatencyCell): ProgressSnapshot {
    const now = this.clock();
    this.requests += window.count;
    this.failed += window.failures;
    const seconds = Math.max(now - this.last, 1) / 1000;
    this.last = now;
    return {
      elapsedSeconds: (now - this.startedAt) / 1000,
      plannedSeconds: this.plannedSeconds,
      requests: this.requests,
      failed: this.failed,
      rps: window.count / seconds,
      p95Milliseconds: window.quantileMilliseconds(0.95),
    };
  }
}
