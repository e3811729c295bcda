import type { AiUsage, CostPayload } from '../contracts/cost-event';
import { metricPayloadSchema } from '../contracts/metric-event';
import type { CostCategory } from '../contracts/vocabulary';
import { EventValidationError } from '../contracts/validation-error';
import { microsOfUsd } from '../basics/money';
import type { MetricSampleInput } from '../metrics/measure';
import { passesFastCheck, rememberValidLabels } from './sample-fast-check';

// The inputs of the publisher's API live below it (metrics and security code take them too); it re-exports them.
export type { MetricSampleInput } from '../metrics/measure';
export type { SecurityEventInput } from '../contracts/security-event';

/** Converts dollars to integer micro-USD at the edge; storage never sees a float dollar. */
export function usdToMicros(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) {
    throw new EventValidationError([{ path: 'payload.amountMicros', message: `usd must be a finite, non-negative number, got ${usd}` }]);
  }
  return microsOfUsd(usd);
}

export type CostInput = Omit<CostPayload, 'amountMicros' | 'usage'> &
  ({ amountMicros: number; usd?: never } | { usd: number; amountMicros?: never });

export function costPayload(input: CostInput): CostPayload {
  // Already in wire shape: pass it through untouched (no copy on the hot path).
  if (!('usd' in input)) return input as CostPayload;
  const { usd, ...rest } = input;
  return { ...rest, amountMicros: usdToMicros(usd as number) };
}

export type AiUsageInput = AiUsage & Pick<CostPayload, 'service' | 'description' | 'metadata' | 'attribution'> & { category?: CostCategory };

export function aiUsagePayload(input: AiUsageInput): CostPayload {
  const { category = 'AI_API_CALLS', service, description, metadata, attribution, ...usage } = input;
  return { category, usage, service, description, metadata, ...(attribution ? { attribution } : {}) };
}

/**
 * Validates one sample with the wire rules (range per metric type, label keys), as a payload of
 * one: `count 1, sum = min = max = value`. Throws `EventValidationError` naming the field.
 */
export function validateMetricSample(input: MetricSampleInput, now: Date): void {
  if (passesFastCheck(input)) return;
  const at = now.toISOString();
  const v = input.value;
  const parsed = metricPayloadSchema.safeParse({ metric: input.metric, labels: input.labels ?? {}, intervalStart: at, intervalEnd: at, count: 1, sum: v, min: v, max: v });
  if (!parsed.success) throw EventValidationError.fromZod(parsed.error, ['payload']);
  rememberValidLabels(input.labels);
}
