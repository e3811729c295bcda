import { LatencyCell, type SerializedCell } from './latency-cell';

/** A finished request as the executors report it. */
export interface RequestResult {
  stage: number;
  /** When it finished, ms from the run's start (places it on the timeline). */
  endOffsetMilliseconds: number;
  /** From its intended start to its end: queueing and stalls included (no coordinated omission). */
  latencyMilliseconds: number;
  /** `status 503`, `timeout`, `ECONNREFUSED`, … for failures; undefined for a success. */
  error?: string;
  /** HTTP status when there was one. */
  status?: number;
}

export interface SerializedRecording {
  version: 1;
  startedAtMilliseconds: number;
  endedAtMilliseconds: number;
  timelineBucketMilliseconds: number;
  total: SerializedCell;
  stages: SerializedCell[];
  timeline: Record<string, SerializedCell>;
  errors: Record<string, number>;
  statuses: Record<string, number>;
  /** From intended to actual send: the generator's own lateness. */
  dispatchLag: SerializedCell;
  /** Requests planned but never sent (the generator was at its in-flight cap when the run ended). */
  unsent: number;
  /** Latest end of a request, ms from the run's start: the window the rate is measured over. */
  lastEndOffsetMilliseconds: number;
  workers: number;
}

/**
 * Everything a run measured, in mergeable form: the run as a whole, each stage, each timeline
 * bucket, error and status counts. Worker processes and Cloud Run tasks send theirs serialized;
 * merging gives what one process would have recorded.
 */
export class Recording {
  readonly total = new LatencyCell();
  readonly stages: LatencyCell[];
  readonly timeline = new Map<number, LatencyCell>();
  readonly errors = new Map<string, number>();
  readonly statuses = new Map<string, number>();
  readonly dispatchLag = new LatencyCell();
  unsent = 0;
  lastEndOffsetMilliseconds = 0;
  workers = 1;
  /** Requests since the last progress report (swapped out by the reporter); not serialized. */
  window = new LatencyCell();

  constructor(
    stageCount: number,
    readonly timelineBucketMilliseconds: number,
    public startedAtMilliseconds: number,
    public endedAtMilliseconds: number = startedAtMilliseconds,
  ) {
    this.stages = Array.from({ length: stageCount }, () => new LatencyCell());
  }

  record(r: RequestResult): void {
    const failed = r.error !== undefined;
    this.total.add(r.latencyMilliseconds, failed);
    this.stages[r.stage]?.add(r.latencyMilliseconds, failed);
    this.window.add(r.latencyMilliseconds, failed);
    const bucket = Math.max(0, Math.floor(r.endOffsetMilliseconds / this.timelineBucketMilliseconds));
    let cell = this.timeline.get(bucket);
    if (!cell) this.timeline.set(bucket, (cell = new LatencyCell()));
    cell.add(r.latencyMilliseconds, failed);
    if (r.endOffsetMilliseconds > this.lastEndOffsetMilliseconds) this.lastEndOffsetMilliseconds = r.endOffsetMilliseconds;
    if (r.error !== undefined) this.errors.set(r.error, (this.errors.get(r.error) ?? 0) + 1);
    if (r.status !== undefined) this.statuses.set(String(r.status), (this.statuses.get(String(r.status)) ?? 0) + 1);
  }

  merge(other: Recording): void {
    if (other.stages.length !== this.stages.length || other.timelineBucketMilliseconds !== this.timelineBucketMilliseconds) {
      throw new Error('recordings of different plans cannot be merged');
    }
    this.total.merge(other.total);
    other.stages.forEach((c, i) => this.stages[i]!.merge(c));
    for (const [b, c] of other.timeline) {
      const mine = this.timeline.get(b);
      if (mine) mine.merge(c);
      else this.timeline.set(b, LatencyCell.fromJSON(c.toJSON()));
    }
    for (const [k, n] of other.errors) this.errors.set(k, (this.errors.get(k) ?? 0) + n);
    for (const [k, n] of other.statuses) this.statuses.set(k, (this.statuses.get(k) ?? 0) + n);
    this.dispatchLag.merge(other.dispatchLag);
    this.unsent += other.unsent;
    this.lastEndOffsetMilliseconds = Math.max(this.lastEndOffsetMilliseconds, other.lastEndOffsetMilliseconds);
    this.workers += other.workers;
    this.startedAtMilliseconds = Math.min(this.startedAtMilliseconds, other.startedAtMilliseconds);
    this.endedAtMilliseconds = Math.max(this.endedAtMilliseconds, other.endedAtMilliseconds);
  }

  toJSON(): SerializedRecording {
    return {
      version: 1,
      startedAtMilliseconds: this.startedAtMilliseconds,
      endedAtMilliseconds: this.endedAtMilliseconds,
      timelineBucketMilliseconds: this.timelineBucketMilliseconds,
      total: this.total.toJSON(),
      stages: this.stages.map((c) => c.toJSON()),
      timeline: Object.fromEntries([...this.timeline].sort((a, b) => a[0] - b[0]).map(([b, c]) => [String(b), c.toJSON()])),
      errors: Object.fromEntries(this.errors),
      statuses: Object.fromEntries(this.statuses),
      dispatchLag: this.dispatchLag.toJSON(),
      unsent: this.unsent,
      lastEndOffsetMilliseconds: this.lastEndOffsetMilliseconds,
      workers: this.workers,
    };
  }

  static fromJSON(s: SerializedRecording): Recording {
    if (s.version !== 1) throw new Error(`unknown recording version ${String(s.version)}`);
    const r = new Recording(s.stages.length, s.timelineBucketMilliseconds, s.startedAtMilliseconds, s.endedAtMilliseconds);
    r.total.merge(LatencyCell.fromJSON(s.total));
    s.stages.forEach((c, i) => r.stages[i]!.merge(LatencyCell.fromJSON(c)));
    for (const [b, c] of Object.entries(s.timeline)) r.timeline.set(Number(b), LatencyCell.fromJSON(c));
    for (const [k, n] of Object.entries(s.errors)) r.errors.set(k, n);
    for (const [k, n] of Object.entries(s.statuses)) r.statuses.set(k, n);
    r.dispatchLag.merge(LatencyCell.fromJSON(s.dispatchLag));
    r.unsent = s.unsent;
    r.lastEndOffsetMilliseconds = s.lastEndOffsetMilliseconds;
    r.workers = s.workers;
    return r;
  }
}

/** One recording holding all of them, as if one process had run the whole plan. */
export function mergeRecordings(recordings: readonly Recording[]): Recording {
  const [first, ...rest] = recordings;
  if (!first) throw new Error('nothing to merge');
  const merged = Recording.fromJSON(first.toJSON());
  for (const r of rest) merged.merge(r);
  return merged;
}

/** Timeline resolution: 1 s, coarser for long runs so a report keeps ≤ ~300 points. */
export function timelineBucketMillisecondsFor(plannedMilliseconds: number): number {
  return Math.max(1000, Math.ceil(plannedMilliseconds / 300 / 1000) * 1000);
}
