import { calculateAiCost, CHARS_PER_TOKEN_ESTIMATE, PricingError } from '../pricing/ai-cost';
import { priceOn, type PriceTable } from '../pricing/price-table';

/** Token counts as Gemini reports them (`usageMetadata` of a GenerateContentResponse). */
interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

function usageMetadataOf(result: unknown): UsageMetadata | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as { usageMetadata?: UsageMetadata; response?: { usageMetadata?: UsageMetadata } };
  return r.usageMetadata ?? r.response?.usageMetadata;
}

function textOf(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result && typeof result === 'object') {
    const t = (result as { text?: unknown }).text;
    if (typeof t === 'string') return t;
    return JSON.stringify(result) ?? '';
  }
  return String(result);
}

/**
 * What a generation cost, priced with the price table on the day it ran: from Gemini's reported
 * token counts when the result carries them, otherwise estimated from the prompt and answer
 * lengths (4 characters per token). Throws PricingError for a model without a price.
 */
export function generationCostMicros(table: PriceTable, model: string, promptChars: number, result: unknown, at: Date): number {
  const price = priceOn(table, model, at);
  if (!price) {
    // calculateAiCost words the error (and lists the priced models).
    return calculateAiCost(table, { model, inputTokens: 0 }, at).amountMicros;
  }
  const usage = usageMetadataOf(result);
  const outputChars = textOf(result).length;
  if (price.unit === 'token') {
    const inputTokens = usage?.promptTokenCount ?? Math.ceil(promptChars / CHARS_PER_TOKEN_ESTIMATE);
    const outputTokens = usage?.candidatesTokenCount !== undefined ? usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0) : Math.ceil(outputChars / CHARS_PER_TOKEN_ESTIMATE);
    return calculateAiCost(table, { model, inputTokens, outputTokens }, at).amountMicros;
  }
  return calculateAiCost(table, { model, inputChars: promptChars, outputChars }, at).amountMicros;
}

export { PricingError };
