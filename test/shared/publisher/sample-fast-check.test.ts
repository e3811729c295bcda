import { metricPayloadSchema } from '../../../shared/contracts/metric-event';
import { METRIC_TYPES } from '../../../shared/contracts/vocabulary';
import { validateMetricSample } from '../../../shared/publisher/event-builders';
import { passesFastCheck } from '../../../shared/publisher/sample-fast-check';

const now = new Date('2026-12-07T12:00:00Z');
const VALUES = [0, 1, 42.5, 99.9, 100, 100.01, 250, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e308];
const LABEL_SETS: Record<string, string>[] = [{}, { operation: 'gemini.generateContent', model: 'gemini-2.5-flash' }, { Bad: 'x' }, { operation: '' }, { a: 'x'.repeat(257) }];

const fullCheck = (metric: string, value: number, labels: Record<string, string>) =>
  metricPayloadSchema.safeParse({ metric, labels, intervalStart: now.toISOString(), intervalEnd: now.toISOString(), count: 1, sum: value, min: value, max: value }).success;
const accepted = (metric: string, value: number, labels: Record<string, string>) => {
  try {
    validateMetricSample({ metric: metric as never, value, labels }, now);
    return true;
  } catch {
    return false;
  }
};

describe('validateMetricSample fast path', () => {
  it('accepts and refuses exactly what the schema does, before and after a label set is remembered', () => {
    for (const metric of [...METRIC_TYPES, 'NOT_A_METRIC']) {
      for (const labels of LABEL_SETS) {
        for (const value of VALUES) {
          const expected = fullCheck(metric, value, labels);
          // Twice: the first call may go through zod and remember the labels, the second may not.
          expect({ metric, labels, value, answer: [accepted(metric, value, labels), accepted(metric, value, labels)] }).toEqual({ metric, labels, value, answer: [expected, expected] });
        }
      }
    }
  });

  it('vouches only for label sets the full check accepted', () => {
    expect(passesFastCheck({ metric: 'LATENCY', value: 5, labels: { never_seen: 'yes' } })).toBe(false);
    validateMetricSample({ metric: 'LATENCY', value: 5, labels: { never_seen: 'yes' } }, now);
    expect(passesFastCheck({ metric: 'LATENCY', value: 7, labels: { never_seen: 'yes' } })).toBe(true);
    expect(passesFastCheck({ metric: 'ERROR_RATE', value: 101, labels: { never_seen: 'yes' } })).toBe(false);
  });
});
