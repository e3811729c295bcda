import { z } from 'zod';
import { envelopeFields } from './envelope';
import { METRIC_TYPES, type MetricType } from './vocabulary';

/** Metric types whose values are percentages and must lie in 0–100. */
const PERCENT_METRICS: ReadonlySet<MetricType> = new Set(['ERROR_RATE', 'CPU_USAGE', 'MEMORY_USAGE', 'CACHE_HIT_RATE']);

/** Largest base64 sketch accepted; a DDSketch at 1 % accuracy stays well under this. */
export const MAX_SKETCH_BASE64_CHARS = 16 * 1024;

const labelKey = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower_snake_case, at most 63 characters');
const finite = z.number().finite();

/**
 * One series over one interval: a single sample is `count: 1, sum = min = max = value`; an agent
 * that aggregates sends one payload per series per flush interval, with a serialized DDSketch for
 * distributions (latency).
 */
export const metricPayloadSchema = z
  .strictObject({
    metric: z.enum(METRIC_TYPES),
    labels: z
      .record(labelKey, z.string().min(1).max(256))
      .refine((l) => Object.keys(l).length <= 16, 'at most 16 labels')
      .default({}),
    intervalStart: z.iso.datetime({ offset: true }),
    intervalEnd: z.iso.datetime({ offset: true }),
    count: z.number().int().positive(),
    sum: finite,
    min: finite,
    max: finite,
    last: finite.optional(),
    sketch: z.base64().max(MAX_SKETCH_BASE64_CHARS).optional(),
  })
  .superRefine((p, ctx) => {
    if (Date.parse(p.intervalEnd) < Date.parse(p.intervalStart)) {
      ctx.addIssue({ code: 'custom', path: ['intervalEnd'], message: 'intervalEnd is before intervalStart' });
    }
    if (p.min > p.max) ctx.addIssue({ code: 'custom', path: ['min'], message: 'min is greater than max' });
    if (p.metric !== 'AGENT_PERFORMANCE' && p.min < 0) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `${p.metric} cannot be negative` });
    }
    if (PERCENT_METRICS.has(p.metric) && p.max > 100) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `${p.metric} is a percentage (0-100)` });
    }
    // Sum must be consistent with min/max (a relative tolerance absorbs float rounding).
    const slack = 1e-9 * Math.max(1, Math.abs(p.sum));
    if (p.sum < p.min * p.count - slack || p.sum > p.max * p.count + slack) {
      ctx.addIssue({ code: 'custom', path: ['sum'], message: 'sum is outside count × [min, max]' });
    }
  });
export type MetricPayload = z.infer<typeof metricPayloadSchema>;

export const metricEventSchema = z.strictObject({
  ...envelopeFields,
  type: z.literal('metric'),
  payload: metricPayloadSchema,
});
export type MetricEvent = z.infer<typeof metricEventSchema>;
