import type { MetricType } from '../contracts/vocabulary';

/** One metric sample as an agent records it (the publisher validates and accumulates it). */
export interface MetricSampleInput {
  metric: MetricType;
  value: number;
  labels?: Record<string, string>;
}

/** What measuring needs from the publisher. */
export interface MetricSink {
  recordMetric(input: MetricSampleInput): boolean;
}

/** A running measurement: call `end()` on success or `fail()` on error, once. */
export interface Measurement {
  end(): void;
  fail(error?: unknown): void;
}

/**
 * The seed's context manager: times an operation and records, with labels
 * `{ operation, ...labels }`, its LATENCY in ms, one API_CALLS and an ERROR_RATE sample of 0 or
 * 100 (so the mean over any window is the error percentage, mergeable across agents).
 */
export function measureOperation(sink: MetricSink, operation: string, labels: Record<string, string>): Measurement {
  const started = performance.now();
  const all = { ...labels, operation };
  let done = false;
  const finish = (failed: boolean): void => {
    if (done) return;
    done = true;
    sink.recordMetric({ metric: 'LATENCY', value: performance.now() - started, labels: all });
    sink.recordMetric({ metric: 'API_CALLS', value: 1, labels: all });
    sink.recordMetric({ metric: 'ERROR_RATE', value: failed ? 100 : 0, labels: all });
  };
  return { end: () => finish(false), fail: () => finish(true) };
}

/** The seed's decorator: runs `fn` inside a measurement (sync or async). */
export function timeOperation<T>(sink: MetricSink, operation: string, fn: () => T, labels: Record<string, string>): T {
  const m = measureOperation(sink, operation, labels);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    m.fail(error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        m.end();
        return value;
      },
      (error: unknown) => {
        m.fail(error);
        throw error;
      },
    ) as T;
  }
  m.end();
  return result;
}
