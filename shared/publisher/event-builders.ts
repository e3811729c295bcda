import type { AiUsage, CostPayload } from '../contracts/cost-event';
import type { MetricPayload } from '../contracts/metric-event';
import type { SecurityPayload } from '../contracts/security-event';
import type { CostCategory, MetricType } from '../contracts/vocabulary';
import { EventValidationError } from '../contracts/validation-error';

/** Converts dollars to integer micro-USD at the edge; storage never sees a float dollar. */
export function usdToMicros(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) {
    throw new EventValidationError([{ path: 'payload.amountMicros', message: `usd must be a finite, non-negative number, got ${usd}` }]);
  }
  return Math.round(usd * 1_000_000);
}

export type CostInput = Omit<CostPayload, 'amountMicros' | 'usage'> &
  ({ amountMicros: number; usd?: never } | { usd: number; amountMicros?: never });

export function costPayload(input: CostInput): CostPayload {
  // Already in wire shape: pass it through untouched (no copy on the hot path).
  if (!('usd' in input)) return input as CostPayload;
  const { usd, ...rest } = input;
  return { ...rest, amountMicros: usdToMicros(usd as number) };
}

export type AiUsageInput = AiUsage & Pick<CostPayload, 'service' | 'description' | 'metadata'> & { category?: CostCategory };

export function aiUsagePayload(input: AiUsageInput): CostPayload {
  const { category = 'AI_API_CALLS', service, description, metadata, ...usage } = input;
  return { category, usage, service, description, metadata };
}

export interface MetricSampleInput {
  metric: MetricType;
  value: number;
  labels?: Record<string, string>;
  /** When the sample was taken; default now. */
  at?: Date;
}

/** One sample as an aggregate of one: `count 1, sum = min = max = last = value`. */
export function metricSamplePayload(input: MetricSampleInput, now: Date): MetricPayload {
  const at = (input.at ?? now).toISOString();
  const v = input.value;
  return { metric: input.metric, labels: input.labels ?? {}, intervalStart: at, intervalEnd: at, count: 1, sum: v, min: v, max: v, last: v };
}

export type SecurityEventInput = SecurityPayload;
