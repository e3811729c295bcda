import type { AiUsage, CostEvent } from '../contracts/cost-event';
import { PermanentEventError } from '../contracts/event';
import { calculateAiCost, PricingError } from '../pricing/ai-cost';
import type { PriceTable } from '../pricing/price-table';
import { periodOf } from '../basics/period';

/** A cost event with its amount settled and its period assigned: what the ledger records. */
export interface SpendRecord {
  event: CostEvent;
  amountMicros: number;
  periodId: string;
  /** Present when the amount was priced from usage. */
  usage?: AiUsage;
  pricedWith?: { model: string; effectiveFrom: string; longContext: boolean };
}

/** A cost event that can never be counted; the consumer dead-letters it with this reason. */
export class RejectedCostEventError extends PermanentEventError {
  constructor(failure: 'pricing' | 'future', message: string) {
    super(failure, message);
  }
}

/** How far ahead of the server clock an event may claim to have happened (agent clock skew). */
export const MAX_CLOCK_SKEW_MILLISECONDS = 24 * 3_600_000;

/** Prices `usage` server-side on the event's own date, and assigns the event's period. */
export function priceCostEvent(event: CostEvent, table: PriceTable, now: Date): SpendRecord {
  const occurredAt = new Date(event.occurredAt);
  if (occurredAt.getTime() - now.getTime() > MAX_CLOCK_SKEW_MILLISECONDS) {
    throw new RejectedCostEventError('future', `occurredAt ${event.occurredAt} is more than 24 h ahead of the server clock`);
  }
  const periodId = periodOf(occurredAt).id;
  const { usage, amountMicros } = event.payload;
  if (usage) {
    try {
      const priced = calculateAiCost(table, usage, occurredAt);
      return { event, periodId, amountMicros: priced.amountMicros, usage, pricedWith: { model: priced.price.model, effectiveFrom: priced.price.effectiveFrom, longContext: priced.longContext } };
    } catch (error) {
      if (error instanceof PricingError) throw new RejectedCostEventError('pricing', error.message);
      throw error;
    }
  }
  return { event, periodId, amountMicros: amountMicros ?? 0 };
}
