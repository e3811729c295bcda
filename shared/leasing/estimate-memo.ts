import { LRUCache } from 'lru-cache';
import { estimateCost, type EstimateInput } from '../pricing/ai-cost';
import type { PriceTable } from '../pricing/price-table';
import type { UnknownModelPolicy } from '../pricing/provisional-price';

export const ESTIMATE_MEMO_DEFAULTS = {
  // Distinct call shapes (model, prompt size, output cap) an agent repeats; a busy agent has a few.
  maxShapes: 1_024,
} as const;

const DAY_MILLISECONDS = 86_400_000;

/**
 * `estimateCost` remembered per call shape for the current UTC day: prices change only by the
 * day (entries have effective dates), and an agent asks for the same shapes over and over, so a
 * covered reserve costs a lookup instead of a price-table search and BigInt arithmetic.
 */
export class EstimateMemo {
  private readonly shapes = new LRUCache<string, number>({ max: ESTIMATE_MEMO_DEFAULTS.maxShapes });
  private day = -1;

  constructor(
    private readonly table: PriceTable,
    private readonly unknownModels?: UnknownModelPolicy,
  ) {}

  estimate(input: EstimateInput, nowMillis: number): number {
    const day = Math.floor(nowMillis / DAY_MILLISECONDS);
    if (day !== this.day) {
      this.shapes.clear();
      this.day = day;
    }
    const key = `${input.model}|${input.inputChars}|${input.inputTokens}|${input.maxOutputTokens}|${input.maxOutputChars}|${input.images}`;
    let micros = this.shapes.get(key);
    if (micros === undefined) {
      micros = estimateCost(this.table, input, new Date(nowMillis), this.unknownModels);
      this.shapes.set(key, micros);
    }
    return micros;
  }
}
