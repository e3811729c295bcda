import type { LatencyCell } from '../../../shared/loadtest/latency-cell';
import { Recording, mergeRecordings, type RequestResult } from '../../../shared/loadtest/recording';

/** A cell's content: counters and the sketch's non-zero bins by key (its byte layout may differ). */
function content(c: LatencyCell) {
  const { bins, offset } = c.sketch.store;
  const nonZero = bins.flatMap((n, i) => (n ? [[i + offset, n]] : []));
  return { count: c.count, failures: c.failures, sum: c.sumMicroseconds, min: c.minMicroseconds, max: c.maxMicroseconds, bins: nonZero };
}
function contentOf(r: Recording) {
  return {
    total: content(r.total),
    stages: r.stages.map(content),
    timeline: [...r.timeline].sort((a, b) => a[0] - b[0]).map(([k, c]) => [k, content(c)]),
    errors: Object.fromEntries(r.errors),
    statuses: Object.fromEntries(r.statuses),
    unsent: r.unsent,
    lastEnd: r.lastEndOffsetMilliseconds,
  };
}

/** A deterministic spread of latencies over two stages, some failing. */
function results(n: number): RequestResult[] {
  let x = 12345;
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const latency = 1 + (x / 2 ** 31) ** 3 * 900;
    return { stage: i < n / 2 ? 0 : 1, endOffsetMilliseconds: i * 3, latencyMilliseconds: latency, error: i % 17 === 0 ? 'status 503' : undefined, status: i % 17 === 0 ? 503 : 200 };
  });
}

describe('Recording', () => {
  it('merges split recordings, serialized and back, into exactly what one recording of everything holds', () => {
    const rs = results(5000);
    const whole = new Recording(2, 1000, 0);
    rs.forEach((r) => whole.record(r));
    const parts = [0, 1, 2].map(() => new Recording(2, 1000, 0));
    rs.forEach((r, i) => parts[i % 3]!.record(r));
    const merged = mergeRecordings(parts.map((p) => Recording.fromJSON(JSON.parse(JSON.stringify(p.toJSON())))));
    expect(contentOf(merged)).toEqual(contentOf(whole));
    expect(content(merged.total).bins.length).toBeGreaterThan(100);
    expect(merged.workers).toBe(3);
    for (const q of [0.5, 0.95, 0.99]) expect(merged.total.quantileMilliseconds(q)).toBe(whole.total.quantileMilliseconds(q));
  });

  it('keeps percentiles within 1 % of exact and min, max, mean exact to the microsecond', () => {
    const rs = results(20_000);
    const rec = new Recording(2, 1000, 0);
    rs.forEach((r) => rec.record(r));
    const sorted = rs.map((r) => Math.round(r.latencyMilliseconds * 1000) / 1000).sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(rec.total.quantileMilliseconds(q)! - exact) / exact).toBeLessThan(0.01);
    }
    expect(rec.total.minMicroseconds! / 1000).toBe(sorted[0]);
    expect(rec.total.maxMicroseconds! / 1000).toBe(sorted[sorted.length - 1]);
  });

  it('groups errors and statuses, and places requests on the timeline by when they ended', () => {
    const rec = new Recording(1, 1000, 0);
    rec.record({ stage: 0, endOffsetMilliseconds: 10, latencyMilliseconds: 5, status: 200 });
    rec.record({ stage: 0, endOffsetMilliseconds: 1500, latencyMilliseconds: 5, status: 503, error: 'status 503' });
    rec.record({ stage: 0, endOffsetMilliseconds: 1600, latencyMilliseconds: 5, error: 'timeout' });
    expect(Object.fromEntries(rec.errors)).toEqual({ 'status 503': 1, timeout: 1 });
    expect(Object.fromEntries(rec.statuses)).toEqual({ '200': 1, '503': 1 });
    expect([...rec.timeline.keys()]).toEqual([0, 1]);
    expect(rec.timeline.get(1)!.failures).toBe(2);
  });

  it('refuses to merge recordings of different plans', () => {
    expect(() => new Recording(2, 1000, 0).merge(new Recording(3, 1000, 0))).toThrow(/different plans/);
  });
});
