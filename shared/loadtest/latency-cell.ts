import { decodeSketch, encodeSketch, newSketch, quantile, type Sketch } from '../metrics/sketch';

/** A cell's serialized form: integers and a base64 DDSketch, so merging serialized cells is exact. */
export interface SerializedCell {
  count: number;
  failures: number;
  sumMicroseconds: number;
  minMicroseconds: number | null;
  maxMicroseconds: number | null;
  sketch: string;
}

/**
 * Requests and latencies of one slice of a run (the whole run, a stage, a second): counts, an
 * integer sum and exact min/max in microseconds, and a DDSketch (1 % relative accuracy) for the
 * percentiles. Every field adds or compares, so cells merge exactly whatever the split.
 */
export class LatencyCell {
  count = 0;
  failures = 0;
  sumMicroseconds = 0;
  minMicroseconds: number | null = null;
  maxMicroseconds: number | null = null;
  readonly sketch: Sketch = newSketch();

  /** Adds one finished request; latency in milliseconds from its intended start. */
  add(latencyMilliseconds: number, failed: boolean): void {
    const us = Math.max(0, Math.round(latencyMilliseconds * 1000));
    this.count += 1;
    if (failed) this.failures += 1;
    this.sumMicroseconds += us;
    if (this.minMicroseconds === null || us < this.minMicroseconds) this.minMicroseconds = us;
    if (this.maxMicroseconds === null || us > this.maxMicroseconds) this.maxMicroseconds = us;
    // The sketch gets the rounded value too, so a split run's sketch sees the same numbers.
    this.sketch.accept(us / 1000);
  }

  merge(other: LatencyCell): void {
    this.count += other.count;
    this.failures += other.failures;
    this.sumMicroseconds += other.sumMicroseconds;
    if (other.minMicroseconds !== null && (this.minMicroseconds === null || other.minMicroseconds < this.minMicroseconds)) this.minMicroseconds = other.minMicroseconds;
    if (other.maxMicroseconds !== null && (this.maxMicroseconds === null || other.maxMicroseconds > this.maxMicroseconds)) this.maxMicroseconds = other.maxMicroseconds;
    if (other.count > 0) this.sketch.merge(other.sketch);
  }

  /** Latency at quantile q (0..1) in ms, clamped to the exact min and max; null when empty. */
  quantileMilliseconds(q: number): number | null {
    const v = quantile(this.sketch, q);
    if (v === undefined || this.minMicroseconds === null || this.maxMicroseconds === null) return null;
    return Math.min(Math.max(v, this.minMicroseconds / 1000), this.maxMicroseconds / 1000);
  }

  meanMilliseconds(): number | null {
    return this.count === 0 ? null : this.sumMicroseconds / this.count / 1000;
  }

  toJSON(): SerializedCell {
    return {
      count: this.count,
      failures: this.failures,
      sumMicroseconds: this.sumMicroseconds,
      minMicroseconds: this.minMicroseconds,
      maxMicroseconds: this.maxMicroseconds,
      sketch: this.count > 0 ? encodeSketch(this.sketch).toString('base64') : '',
    };
  }

  static fromJSON(s: SerializedCell): LatencyCell {
    const cell = new LatencyCell();
    cell.count = s.count;
    cell.failures = s.failures;
    cell.sumMicroseconds = s.sumMicroseconds;
    cell.minMicroseconds = s.minMicroseconds;
    cell.maxMicroseconds = s.maxMicroseconds;
    if (s.sketch) cell.sketch.merge(decodeSketch(Buffer.from(s.sketch, 'base64')));
    return cell;
  }
}
