import type { Partition } from './arrival-schedule';
import type { ExecutorOptions } from './executor-options';
import type { SerializedCell } from './latency-cell';
import type { LoadPlan } from './load-plan';
import type { SerializedRecording } from './recording';
import type { TargetSpec } from './target-spec';

/** Coordinator → worker. */
export type ToWorker =
  | { type: 'prepare'; plan: LoadPlan; target: TargetSpec; allowRemote: boolean; partition: Partition; executor: Pick<ExecutorOptions, 'maxInFlight' | 'gracefulStopMilliseconds' | 'thinkTimeMilliseconds'>; progressIntervalMilliseconds: number }
  /** Start at this wall-clock time (epoch ms), the same for every worker so timelines line up. */
  | { type: 'start'; startAtEpochMilliseconds: number };

/** Worker → coordinator. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'window'; cell: SerializedCell }
  | { type: 'result'; recording: SerializedRecording }
  | { type: 'error'; message: string };
