import type { LatencyCell } from './latency-cell';
import { stageRate, type LoadPlan } from './load-plan';
import type { Recording } from './recording';

export interface LatencySummary {
  avg: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export interface StageSummary {
  stage: number;
  users: number;
  /** Planned requests/s (open model) or null (closed model). */
  plannedRps: number | null;
  durationSeconds: number;
  requests: number;
  failed: number;
  errorRate: number;
  rps: number;
  latencyMilliseconds: LatencySummary;
  /** p95 of this stage ÷ p95 of the first stage (1 = no degradation). */
  p95Ratio: number | null;
  /** Error rate of this stage − error rate of the first stage (0–1). */
  errorRateChange: number;
}

export interface TimelinePoint {
  /** Start of the bucket, seconds from the run's start. */
  t: number;
  requests: number;
  failed: number;
  rps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface LoadTestSummary {
  profile: string;
  model: string;
  target: string;
  startedAt: string;
  durationSeconds: number;
  workers: number;
  plannedRps: number | null;
  totals: { requests: number; succeeded: number; failed: number; unsent: number; successRate: number; errorRate: number };
  latencyMilliseconds: LatencySummary;
  /** Requests finished per second over the run (failures included, unsent excluded). */
  rps: number;
  /** Errors grouped by status or error, most frequent first. */
  errors: { error: string; count: number; share: number }[];
  statuses: Record<string, number>;
  stages: StageSummary[];
  timeline: TimelinePoint[];
  /** How late the generator sent requests against their intended start: its own health. */
  dispatchLagMilliseconds: { p50: number | null; p99: number | null; max: number | null };
}

const round = (v: number | null, digits = 3) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

export function latencyOf(cell: LatencyCell): LatencySummary {
  return {
    avg: round(cell.meanMilliseconds()),
    min: cell.minMicroseconds === null ? null : cell.minMicroseconds / 1000,
    max: cell.maxMicroseconds === null ? null : cell.maxMicroseconds / 1000,
    p50: round(cell.quantileMilliseconds(0.5)),
    p90: round(cell.quantileMilliseconds(0.9)),
    p95: round(cell.quantileMilliseconds(0.95)),
    p99: round(cell.quantileMilliseconds(0.99)),
  };
}

/** Requests/s the open model plans over the whole run (null for the closed model). */
export function plannedRpsOf(plan: LoadPlan): number | null {
  if (plan.model !== 'open') return null;
  const seconds = plan.stages.reduce((t, s) => t + s.durationSeconds, 0);
  return plan.stages.reduce((n, s) => n + stageRate(plan, s) * s.durationSeconds, 0) / seconds;
}

/** The numbers of a run, from its (possibly merged) recording. */
export function summarize(plan: LoadPlan, targetLabel: string, recording: Recording): LoadTestSummary {
  const t = recording.total;
  const windowSeconds = Math.max(recording.lastEndOffsetMilliseconds, 1) / 1000;
  const sent = t.count - recording.unsent;
  const rate = (cell: LatencyCell) => (cell.count === 0 ? 0 : cell.failures / cell.count);
  const first = recording.stages[0];
  const firstP95 = first ? first.quantileMilliseconds(0.95) : null;
  const firstRate = first ? rate(first) : 0;
  const stages = plan.stages.map((s, i): StageSummary => {
    const cell = recording.stages[i]!;
    const p95 = cell.quantileMilliseconds(0.95);
    return {
      stage: i + 1,
      users: round(s.users, 2)!,
      plannedRps: plan.model === 'open' ? round(stageRate(plan, s), 2) : null,
      durationSeconds: s.durationSeconds,
      requests: cell.count,
      failed: cell.failures,
      errorRate: round(rate(cell), 5)!,
      rps: round(cell.count / s.durationSeconds, 2)!,
      latencyMilliseconds: latencyOf(cell),
      p95Ratio: p95 !== null && firstP95 ? round(p95 / firstP95, 3) : null,
      errorRateChange: round(rate(cell) - firstRate, 5)!,
    };
  });
  const bucketSeconds = recording.timelineBucketMilliseconds / 1000;
  const timeline = [...recording.timeline.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, c]): TimelinePoint => ({ t: b * bucketSeconds, requests: c.count, failed: c.failures, rps: round(c.count / bucketSeconds, 2)!, p50: round(c.quantileMilliseconds(0.5)), p95: round(c.quantileMilliseconds(0.95)), p99: round(c.quantileMilliseconds(0.99)) }));
  const errorTotal = [...recording.errors.values()].reduce((a, b) => a + b, 0);
  return {
    profile: plan.profile,
    model: plan.model,
    target: targetLabel,
    startedAt: new Date(recording.startedAtMilliseconds).toISOString(),
    durationSeconds: round(windowSeconds, 3)!,
    workers: recording.workers,
    plannedRps: round(plannedRpsOf(plan), 2),
    totals: { requests: t.count, succeeded: t.count - t.failures, failed: t.failures, unsent: recording.unsent, successRate: round(t.count ? 1 - rate(t) : 0, 5)!, errorRate: round(rate(t), 5)! },
    latencyMilliseconds: latencyOf(t),
    rps: round(sent / windowSeconds, 2)!,
    errors: [...recording.errors.entries()].sort((a, b) => b[1] - a[1]).map(([error, count]) => ({ error, count, share: round(count / errorTotal, 4)! })),
    statuses: Object.fromEntries(recording.statuses),
    stages,
    timeline,
    dispatchLagMilliseconds: { p50: round(recording.dispatchLag.quantileMilliseconds(0.5)), p99: round(recording.dispatchLag.quantileMilliseconds(0.99)), max: recording.dispatchLag.maxMicroseconds === null ? null : recording.dispatchLag.maxMicroseconds / 1000 },
  };
}
