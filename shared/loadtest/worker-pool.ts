import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import { LatencyCell } from './latency-cell';
import { planDurationMilliseconds, type LoadPlan } from './load-plan';
import { resultOf, type LoadTestResult } from './load-test-result';
import { ProgressTracker } from './progress';
import { Recording, mergeRecordings } from './recording';
import { RUN_DEFAULTS, type RunOptions } from './run-load-test';
import type { TargetSpec } from './target-spec';
import type { FromWorker, ToWorker } from './worker-protocol';

export interface DistributedOptions extends Omit<RunOptions, 'partition' | 'clock' | 'startAt' | 'onWindow'> {
  workers: number;
  allowRemote?: boolean;
  /** Label of the target in reports; default from the spec. */
  targetLabel?: string;
}

export const WORKER_DEFAULTS = {
  // Workers open their targets, then all start together this long after the last one is ready.
  startDelayMilliseconds: 200,
  maxWorkers: 64,
};

// Compiled, this file sits beside worker-entry.js; under ts-jest-like runners it is the .ts source.
const entry = __filename.endsWith('.ts') ? join(__dirname, '..', '..', 'dist', 'shared', 'loadtest', 'worker-entry.js') : join(__dirname, 'worker-entry.js');

export function labelOf(spec: TargetSpec): string {
  return spec.kind === 'http' ? `${spec.scenario ? 'scenario' : (spec.method ?? 'GET').toUpperCase()} ${spec.url}` : 'governor pipeline (publish → function → Firestore)';
}

/**
 * Runs the plan split across N local worker processes: worker k takes every N-th arrival (open
 * model) or its share of the users (closed model); all start at one agreed instant, and their
 * recordings merge exactly into the result one process would have produced.
 */
export async function runDistributed(plan: LoadPlan, spec: TargetSpec, options: DistributedOptions): Promise<LoadTestResult> {
  const n = options.workers;
  if (!Number.isSafeInteger(n) || n < 1 || n > WORKER_DEFAULTS.maxWorkers) throw new Error(`--workers must be an integer from 1 to ${WORKER_DEFAULTS.maxWorkers}`);
  const children: ChildProcess[] = [];
  let pending = new LatencyCell();
  const interval = options.progressIntervalMilliseconds ?? RUN_DEFAULTS.progressIntervalMilliseconds;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready: Promise<void>[] = [];
    const results: Promise<Recording>[] = [];
    for (let index = 0; index < n; index++) {
      const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      let markReady: () => void = () => undefined;
      let fail: (e: Error) => void = () => undefined;
      ready.push(new Promise<void>((resolve, reject) => ((markReady = resolve), (fail = reject))));
      results.push(
        new Promise<Recording>((resolve, reject) => {
          let done = false;
          child.on('message', (m: FromWorker) => {
            if (m.type === 'ready') markReady();
            else if (m.type === 'window') pending.merge(LatencyCell.fromJSON(m.cell));
            else if (m.type === 'result') ((done = true), resolve(Recording.fromJSON(m.recording)));
            else {
              const error = new Error(`worker ${index}: ${m.message}`);
              fail(error);
              reject(error);
            }
          });
          child.on('exit', (code) => {
            if (done) return;
            const error = new Error(`worker ${index} exited (code ${String(code)}) before sending its result`);
            fail(error);
            reject(error);
          });
        }),
      );
      results[index]!.catch(() => undefined);
      const prepare: ToWorker = {
        type: 'prepare',
        plan,
        target: spec,
        allowRemote: options.allowRemote ?? false,
        partition: { index, count: n },
        executor: { maxInFlight: options.maxInFlight, gracefulStopMilliseconds: options.gracefulStopMilliseconds, thinkTimeMilliseconds: options.thinkTimeMilliseconds },
        progressIntervalMilliseconds: interval,
      };
      child.send(prepare);
    }
    await Promise.all(ready);
    const startAtEpochMilliseconds = Date.now() + WORKER_DEFAULTS.startDelayMilliseconds;
    for (const child of children) child.send({ type: 'start', startAtEpochMilliseconds } satisfies ToWorker);
    if (options.onProgress) {
      const tracker = new ProgressTracker(planDurationMilliseconds(plan) / 1000, () => performance.now(), performance.now() + WORKER_DEFAULTS.startDelayMilliseconds);
      timer = setInterval(() => {
        const window = pending;
        pending = new LatencyCell();
        options.onProgress!(tracker.snapshot(window));
      }, interval);
      timer.unref();
    }
    const merged = mergeRecordings(await Promise.all(results));
    return resultOf(options.runId ?? ulid(), plan, options.targetLabel ?? labelOf(spec), merged, options.thresholds);
  } finally {
    if (timer) clearInterval(timer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
