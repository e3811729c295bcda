import type { EmitInput } from '../publisher/publisher';
import { encodeSketch } from '../metrics/sketch';
import type { LoadTestResult } from './load-test-result';
import { Recording } from './recording';

/**
 * A run's results as Governor metric events, one set per timeline bucket, so they show in
 * `governor metrics report` under operation `loadtest_<profile>`: LATENCY (with its sketch),
 * API_CALLS and ERROR_RATE (0 or 100 per request, so the mean is the error percentage).
 */
export function metricEventsOf(result: LoadTestResult): EmitInput[] {
  const recording = Recording.fromJSON(result.recording);
  const labels = { operation: `loadtest_${result.summary.profile}`, loadtest_run: result.runId };
  const events: EmitInput[] = [];
  for (const [bucket, cell] of [...recording.timeline].sort((a, b) => a[0] - b[0])) {
    if (cell.count === 0 || cell.minMicroseconds === null || cell.maxMicroseconds === null) continue;
    const start = recording.startedAtMilliseconds + bucket * recording.timelineBucketMilliseconds;
    const interval = { intervalStart: new Date(start).toISOString(), intervalEnd: new Date(start + recording.timelineBucketMilliseconds).toISOString() };
    const occurredAt = interval.intervalEnd;
    events.push(
      { type: 'metric', occurredAt, payload: { metric: 'LATENCY', labels, ...interval, count: cell.count, sum: cell.sumMicroseconds / 1000, min: cell.minMicroseconds / 1000, max: cell.maxMicroseconds / 1000, sketch: encodeSketch(cell.sketch).toString('base64') } },
      { type: 'metric', occurredAt, payload: { metric: 'API_CALLS', labels, ...interval, count: 1, sum: cell.count, min: cell.count, max: cell.count } },
      {
        type: 'metric',
        occurredAt,
        payload: { metric: 'ERROR_RATE', labels, ...interval, count: cell.count, sum: cell.failures * 100, min: cell.failures === cell.count ? 100 : 0, max: cell.failures > 0 ? 100 : 0 },
      },
    );
  }
  return events;
}
