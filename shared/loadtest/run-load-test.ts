import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import { runClosedModel } from './closed-executor';
import type { ExecutorOptions } from './executor-options';
import { planDurationMilliseconds, type LoadPlan } from './load-plan';
import { resultOf, type LoadTestResult } from './load-test-result';
import type { LoadTarget } from './load-target';
import { runOpenModel } from './open-executor';
import type { LatencyCell } from './latency-cell';
import { ProgressTracker, type ProgressSnapshot } from './progress';
import { Recording, timelineBucketMillisecondsFor } from './recording';
import type { Threshold } from './thresholds';

export interface RunOptions extends ExecutorOptions {
  runId?: string;
  thresholds?: readonly Threshold[];
  /** Called every `progressIntervalMilliseconds` while the run lasts. */
  onProgress?: (p: ProgressSnapshot) => void;
  /** Called every interval with the requests finished since the last call (worker processes send it on). */
  onWindow?: (window: LatencyCell) => void;
  progressIntervalMilliseconds?: number;
}

export const RUN_DEFAULTS = {
  progressIntervalMilliseconds: 1000,
};

/** Runs the plan's share given by `options.partition` against an opened target, then closes it; the recording only. */
export async function recordLoad(plan: LoadPlan, target: LoadTarget, options: RunOptions = {}): Promise<Recording> {
  const clock = options.clock ?? (() => performance.now());
  const startAt = options.startAt ?? clock();
  const recording = new Recording(plan.stages.length, timelineBucketMillisecondsFor(planDurationMilliseconds(plan)), Date.now() + (startAt - clock()));
  const tracker = new ProgressTracker(planDurationMilliseconds(plan) / 1000, clock, startAt);
  const report = () => {
    const window = ProgressTracker.takeWindow(recording);
    options.onWindow?.(window);
    options.onProgress?.(tracker.snapshot(window));
  };
  const timer = options.onProgress || options.onWindow ? setInterval(report, options.progressIntervalMilliseconds ?? RUN_DEFAULTS.progressIntervalMilliseconds) : undefined;
  timer?.unref();
  try {
    const t0 = Math.max(startAt, clock());
    recording.startedAtMilliseconds = Date.now() + (t0 - clock());
    const run = plan.model === 'open' ? runOpenModel : runClosedModel;
    await run(plan, target, recording, { ...options, clock, startAt: t0 });
  } finally {
    if (timer) clearInterval(timer);
    await target.close();
  }
  return recording;
}

/** Runs a whole load test in this process: plan → target → recording → summary, thresholds, advice. */
export async function runLoadTest(plan: LoadPlan, target: LoadTarget, options: RunOptions = {}): Promise<LoadTestResult> {
  try {
    await target.open?.();
  } catch (error) {
    await target.close();
    throw error;
  }
  const recording = await recordLoad(plan, target, options);
  return resultOf(options.runId ?? ulid(), plan, target.label, recording, options.thresholds);
}
