import { LogCollapsingLowestDenseDDSketch, type DDSketch } from '@datadog/sketches-js';

/** 1 % relative accuracy: p95/p99 within 1 % of exact (target P5). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
/**
 * At most 2,048 bins: from 1 µs to hours at 1 % accuracy; below that the lowest bins collapse
 * (tiny values lose resolution first), so a sketch never grows without bound.
 */
export const SKETCH_BIN_LIMIT = 2048;

export type Sketch = DDSketch;

export function newSketch(): Sketch {
  return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: SKETCH_BIN_LIMIT }) as unknown as Sketch;
}

/** Serialized form on the wire and in Firestore: the DDSketch protobuf. */
export function encodeSketch(sketch: Sketch): Buffer {
  return Buffer.from(sketch.toProto());
}

export function decodeSketch(bytes: Uint8Array): Sketch {
  const decoded = LogCollapsingLowestDenseDDSketch.fromProto(bytes);
  // fromProto rebuilds a plain DDSketch; copy it into a bounded one so merges stay bounded.
  const sketch = newSketch();
  sketch.merge(decoded);
  return sketch;
}

/** Value at quantile q (0..1), or undefined for an empty sketch. */
export function quantile(sketch: Sketch, q: number): number | undefined {
  return sketch.count > 0 ? sketch.getValueAtQuantile(q) : undefined;
}
