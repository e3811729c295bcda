import type { AiUsage, CostEvent } from '../contracts/cost-event';
import { PermanentEventError } from '../contracts/event';
import { calculateAiCost, PricingError } from '../pricing/ai-cost';
import type { PriceTable } from '../pricing/price-table';
import type { UnknownModelPolicy } from '../pricing/provisional-price';
import { periodOf } from '../basics/period';

/** A cost event with its amount settled and its period assigned: what the ledger records. */
export interface SpendRecord {
  event: CostEvent;
  amountMicros: number;
  periodId: string;
  /** Present when the amount was priced from usage. */
  usage?: AiUsage;
  /** `provisional`: the usage's model has no price yet; charged at a conservative stand-in's (re-priced once it has one). */
  pricedWith?: { model: string; effectiveFrom: string; longContext: boolean; provisional?: true };
}

/** A cost event that can never be counted; the consumer dead-letters it with this reason. */
export class RejectedCostEventError extends PermanentEventError {
  constructor(failure: 'pricing' | 'future', message: string) {
    super(failure, message);
  }
}

/** How far ahead of the server clock an event may claim to have happened (agent clock skew). */
export const MAX_CLOCK_SKEW_MILLISECONDS = 24 * 3_600_000;

/**
 * Prices `usage` server-side on the event's own date, and assigns the event's period. With an
 * `unknownModels` policy a model without a price is charged provisionally instead of refused.
 */
export function priceCostEvent(event: CostEvent, table: PriceTable, now: Date, unknownModels?: UnknownModelPolicy): SpendRecord {
  const occurredAt = new Date(event.occurredAt);
  if (occurredAt.getTime() - now.getTime() > MAX_CLOCK_SKEW_MILLISECONDS) {
    throw new RejectedCostEventError('future', `occurredAt ${event.occurredAt} is more than 24 h ahead of the server clock`);
  }
  const periodId = periodOf(occurredAt).id;
  const { usage, amountMicros } = event.payload;
  if (usage) {
    try {
      const priced = calculateAiCost(table, usage, occurredAt, unknownModels);
      const pricedWith = { model: priced.price.model, effectiveFrom: priced.price.effectiveFrom, longContext: priced.longContext, ...(priced.provisional ? { provisional: priced.provisional } : {}) };
      return { event, periodId, amountMicros: priced.amountMicros, usage, pricedWith };
    } catch (error) {
      if (error instanceof PricingError) throw new RejectedCostEventError('pricing', error.message);
      throw error;
    }
  }
  return { event, periodId, amountMicros: amountMicros ?? 0 };
}
