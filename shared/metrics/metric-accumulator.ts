import type { MetricPayload } from '../contracts/metric-event';
import type { MetricType } from '../contracts/vocabulary';
import type { Aggregate } from './bucket';
import { seriesKeyOf, type Labels } from './series';
import { encodeSketch, newSketch } from './sketch';

/** A series' samples since the last drain: an aggregate without `lastAt` (the interval end says when). */
type Accumulation = Omit<Aggregate, 'lastAt'>;

/**
 * One accumulation per series between flushes (the OpenTelemetry pattern): `record()` folds a
 * sample in, `drain()` swaps the map out and returns one aggregate payload per series — so a
 * thousand samples become one message. Series beyond `maxSeries` are refused (`record()` says so; the publisher counts and reports them).
 */
export class MetricAccumulator {
  private series = new Map<string, Accumulation>();
  private intervalStart: Date;

  constructor(
    private readonly maxSeries: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.intervalStart = now();
  }

  /** Folds one sample in; false when the series limit refused a new series. */
  record(metric: MetricType, value: number, labels: Labels): boolean {
    const key = seriesKeyOf(metric, labels);
    let a = this.series.get(key);
    if (!a) {
      if (this.series.size >= this.maxSeries) return false;
      a = { metric, labels: { ...labels }, count: 0, sum: 0, min: value, max: value, last: value, sketch: newSketch() };
      this.series.set(key, a);
    }
    a.count += 1;
    a.sum += value;
    if (value < a.min) a.min = value;
    if (value > a.max) a.max = value;
    a.last = value;
    a.sketch.accept(value);
    return true;
  }

  /** Swaps out what was accumulated and returns it as one payload per series. */
  drain(): { payloads: MetricPayload[] } {
    const drained = this.series;
    const start = this.intervalStart;
    this.series = new Map();
    this.intervalStart = this.now();
    const end = this.intervalStart;
    const payloads = [...drained.values()].map((a) => ({
      metric: a.metric,
      labels: { ...a.labels },
      intervalStart: start.toISOString(),
      intervalEnd: end.toISOString(),
      count: a.count,
      sum: a.sum,
      min: a.min,
      max: a.max,
      last: a.last,
      sketch: encodeSketch(a.sketch).toString('base64'),
    }));
    return { payloads };
  }
}
