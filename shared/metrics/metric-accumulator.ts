import type { MetricPayload } from '../contracts/metric-event';
import type { MetricType } from '../contracts/vocabulary';
import { seriesKeyOf, type Labels } from './series';
import { encodeSketch, newSketch, type Sketch } from './sketch';

interface Accumulation {
  metric: MetricType;
  labels: Labels;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  sketch: Sketch;
}

/**
 * One accumulation per series between flushes (the OpenTelemetry pattern): `record()` folds a
 * sample in, `drain()` swaps the map out and returns one aggregate payload per series — so a
 * thousand samples become one message. Series beyond `maxSeries` are refused and counted.
 */
export class MetricAccumulator {
  private series = new Map<string, Accumulation>();
  private intervalStart: Date;
  private refusedSamples = 0;

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
      if (this.series.size >= this.maxSeries) {
        this.refusedSamples += 1;
        return false;
      }
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

  get size(): number {
    return this.series.size;
  }

  /** Samples refused since the last drain because of the series limit. */
  get refused(): number {
    return this.refusedSamples;
  }

  /** Swaps out what was accumulated and returns it as one payload per series. */
  drain(): { payloads: MetricPayload[]; refusedSamples: number } {
    const drained = this.series;
    const start = this.intervalStart;
    const refusedSamples = this.refusedSamples;
    this.series = new Map();
    this.intervalStart = this.now();
    this.refusedSamples = 0;
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
    return { payloads, refusedSamples };
  }
}
