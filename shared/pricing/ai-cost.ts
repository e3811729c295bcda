import type { AiUsage } from '../contracts/cost-event';
import { priceOn, type ModelPrice, type PriceTable } from './price-table';
import { microRatesOf, microsOf, type MicroRates } from './exact-micros';
import { conservativePrice, type UnknownModelPolicy } from './provisional-price';
import { bucketCounts, bucketRates, foreignCounts, promptSizeOf } from './usage-buckets';

/** Why usage could not be priced; permanent, so the event is dead-lettered with this reason. */
export class PricingError extends Error {
  override readonly name = 'PricingError';
  constructor(
    readonly code: 'unknown-model' | 'unit-mismatch' | 'no-image-price',
    message: string,
  ) {
    super(message);
  }
}

export interface PricedUsage {
  amountMicros: number;
  /** The price entry used, for the ledger. */
  price: Pick<ModelPrice, 'model' | 'effectiveFrom' | 'unit' | 'per'>;
  longContext: boolean;
  /** Charged at a conservative stand-in's price: the model has none yet (provisional-price.ts). */
  provisional?: true;
}

interface ParsedRates {
  /** Per bucket (usage-buckets.ts) at the normal rates, and above the long-context threshold. */
  normal: MicroRates;
  long?: MicroRates;
}

/**
 * Each price entry's rates, parsed once: pricing runs per event in the functions and per settle in
 * an agent's spend guard, and parsing the decimals (a regex and BigInts from strings) was most of
 * its cost. Keyed by the entry object, so a new table is parsed afresh and an old one is collected.
 */
const parsedRates = new WeakMap<ModelPrice, ParsedRates>();

function ratesOf(price: ModelPrice): ParsedRates {
  let rates = parsedRates.get(price);
  if (!rates) {
    rates = { normal: microRatesOf(bucketRates(price, false)) };
    if (price.longContext) rates.long = microRatesOf(bucketRates(price, true));
    parsedRates.set(price, rates);
  }
  return rates;
}

function lookup(table: PriceTable, model: string, at: Date, unknownModels?: UnknownModelPolicy, usage: Pick<AiUsage, 'inputChars' | 'outputChars'> = {}): { price: ModelPrice; provisional: boolean } {
  const price = priceOn(table, model, at);
  if (price) return { price, provisional: false };
  const stand = unknownModels ? conservativePrice(table, model, usage, at, unknownModels) : undefined;
  if (stand) return { price: stand, provisional: true };
  {
    const known = [...new Set(table.models.map((m) => m.model))].join(', ');
    throw new PricingError('unknown-model', `no price for model "${model}" on ${at.toISOString().slice(0, 10)}; priced models: ${known}`);
  }
}

/** Cost of one call's usage at one price entry, in integer micro-USD (every usage field billed at its rate). */
export function priceWith(price: ModelPrice, usage: AiUsage): PricedUsage {
  // Any count in the other unit would be priced at $0: refuse the event instead.
  const foreign = foreignCounts(price.unit, usage);
  if (foreign.length > 0) {
    throw new PricingError('unit-mismatch', `${price.model} is priced per ${price.unit}; send ${price.unit} counts only (not ${foreign.join(', ')})`);
  }
  if (usage.images && !price.perImage) {
    throw new PricingError('no-image-price', `${price.model} has no per-image price; count images in its tokens`);
  }
  const long = price.longContext !== undefined && promptSizeOf(price.unit, usage) > price.longContext.aboveInputUnits;
  const parsed = ratesOf(price);
  const rates = long && parsed.long ? parsed.long : parsed.normal;
  return {
    amountMicros: microsOf(rates, bucketCounts(price.unit, usage)),
    price: { model: price.model, effectiveFrom: price.effectiveFrom, unit: price.unit, per: price.per },
    longContext: long,
  };
}

/**
 * Cost of one call's usage on the day it happened, in integer micro-USD. An unknown model throws,
 * or, given an `unknownModels` policy, is charged provisionally at a conservative stand-in's price.
 */
export function calculateAiCost(table: PriceTable, usage: AiUsage, at: Date, unknownModels?: UnknownModelPolicy): PricedUsage {
  const { price, provisional } = lookup(table, usage.model, at, unknownModels, usage);
  const priced = priceWith(price, usage);
  return provisional ? { ...priced, provisional } : priced;
}

/** Characters per token assumed when only text length is known before a call. */
export const CHARS_PER_TOKEN_ESTIMATE = 4;

export interface EstimateInput {
  model: string;
  /** Prompt size: characters, or tokens when the caller counted them. */
  inputChars?: number;
  inputTokens?: number;
  /** The call's output cap (maxOutputTokens, or a character budget). */
  maxOutputTokens?: number;
  maxOutputChars?: number;
  images?: number;
}

/**
 * Upper-bound cost of a call before making it: the prompt plus the maximum output. Text lengths
 * convert at 4 characters per token for token-priced models (and back), so this is an estimate.
 */
export function estimateCost(table: PriceTable, input: EstimateInput, at: Date, unknownModels?: UnknownModelPolicy): number {
  // An unknown model's stand-in is token-priced, like every current model.
  const { price } = lookup(table, input.model, at, unknownModels);
  const toTokens = (chars?: number) => (chars === undefined ? undefined : Math.ceil(chars / CHARS_PER_TOKEN_ESTIMATE));
  const toChars = (tokens?: number) => (tokens === undefined ? undefined : tokens * CHARS_PER_TOKEN_ESTIMATE);
  const usage: AiUsage =
    price.unit === 'token'
      ? { model: input.model, inputTokens: input.inputTokens ?? toTokens(input.inputChars) ?? 0, outputTokens: input.maxOutputTokens ?? toTokens(input.maxOutputChars) ?? 0 }
      : { model: input.model, inputChars: input.inputChars ?? toChars(input.inputTokens) ?? 0, outputChars: input.maxOutputChars ?? toChars(input.maxOutputTokens) ?? 0 };
  if (input.images) usage.images = input.images;
  return priceWith(price, usage).amountMicros;
}
