import { WHOLE, type Partition } from './arrival-schedule';

export interface ExecutorOptions {
  /** Open model: most requests in flight at once; arrivals beyond wait (their wait counts in their latency). */
  maxInFlight?: number;
  /** After the last stage, how long in-flight requests may finish before they are aborted. */
  gracefulStopMilliseconds?: number;
  /** Closed model: pause of each virtual user between an answer and its next request. */
  thinkTimeMilliseconds?: number;
  /** This process's share of the run. */
  partition?: Partition;
  /** Monotonic clock in ms (performance.now); injected by tests. */
  clock?: () => number;
  /** The run's t = 0 on `clock`; default now. Workers agree on one so their timelines line up. */
  startAt?: number;
}

export const EXECUTOR_DEFAULTS = {
  maxInFlight: 10_000,
  gracefulStopMilliseconds: 5_000,
  thinkTimeMilliseconds: 0,
  partition: WHOLE,
};

/** A share of `total` for partition `p`: shares differ by at most one and add up to `total`. */
export function shareOf(total: number, p: Partition): number {
  return Math.floor((total * (p.index + 1)) / p.count) - Math.floor((total * p.index) / p.count);
}
