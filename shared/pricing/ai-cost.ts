import type { AiUsage } from '../contracts/cost-event';
import { priceOn, type ModelPrice, type PriceTable } from './price-table';
import { microRatesOf, microsOf, type MicroRates } from './exact-micros';
import { parseDecimal, type Rational } from './rational';

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
}

function rate(decimal: string, per: number): Rational {
  const r = parseDecimal(decimal);
  return { num: r.num, den: r.den * BigInt(per) };
}

interface ParsedRates {
  /** [input, output, image] at the normal rates, [input, output, image] above the long-context threshold. */
  normal: MicroRates;
  long?: MicroRates;
}

/**
 * Each price entry's rates, parsed once: pricing runs per event in the functions and per settle in
 * an agent's spend guard, and parsing the decimals (a regex and BigInts from strings) was most of
 * its cost. Keyed by the entry object, so a new table is parsed afresh and an old one is collected.
 */
const parsedRates = new WeakMap<ModelPrice, ParsedRates>();

const NO_IMAGE_PRICE: Rational = { num: 0n, den: 1n };

function ratesOf(price: ModelPrice): ParsedRates {
  let rates = parsedRates.get(price);
  if (!rates) {
    const image = price.perImage ? parseDecimal(price.perImage) : NO_IMAGE_PRICE;
    rates = { normal: microRatesOf([rate(price.input, price.per), rate(price.output, price.per), image]) };
    if (price.longContext) rates.long = microRatesOf([rate(price.longContext.input, price.per), rate(price.longContext.output, price.per), image]);
    parsedRates.set(price, rates);
  }
  return rates;
}

function lookup(table: PriceTable, model: string, at: Date): ModelPrice {
  const price = priceOn(table, model, at);
  if (!price) {
    const known = [...new Set(table.models.map((m) => m.model))].join(', ');
    throw new PricingError('unknown-model', `no price for model "${model}" on ${at.toISOString().slice(0, 10)}; priced models: ${known}`);
  }
  return price;
}

/** Cost of one call's usage on the day it happened, in integer micro-USD. Unknown models throw. */
export function calculateAiCost(table: PriceTable, usage: AiUsage, at: Date): PricedUsage {
  const price = lookup(table, usage.model, at);
  const [input, output] =
    price.unit === 'token' ? [usage.inputTokens, usage.outputTokens] : [usage.inputChars, usage.outputChars];
  const [otherInput, otherOutput] =
    price.unit === 'token' ? [usage.inputChars, usage.outputChars] : [usage.inputTokens, usage.outputTokens];
  // Any count in the other unit would be priced at $0: refuse the event instead.
  if (otherInput !== undefined || otherOutput !== undefined) {
    throw new PricingError('unit-mismatch', `${price.model} is priced per ${price.unit}; send input/output ${price.unit}s only`);
  }
  if (usage.images && !price.perImage) {
    throw new PricingError('no-image-price', `${price.model} has no per-image price; count images in its tokens`);
  }
  const long = price.longContext !== undefined && (input ?? 0) > price.longContext.aboveInputUnits;
  const parsed = ratesOf(price);
  const rates = long && parsed.long ? parsed.long : parsed.normal;
  return {
    amountMicros: microsOf(rates, [input ?? 0, output ?? 0, usage.images ?? 0]),
    price: { model: price.model, effectiveFrom: price.effectiveFrom, unit: price.unit, per: price.per },
    longContext: long,
  };
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
export function estimateCost(table: PriceTable, input: EstimateInput, at: Date): number {
  const price = lookup(table, input.model, at);
  const toTokens = (chars?: number) => (chars === undefined ? undefined : Math.ceil(chars / CHARS_PER_TOKEN_ESTIMATE));
  const toChars = (tokens?: number) => (tokens === undefined ? undefined : tokens * CHARS_PER_TOKEN_ESTIMATE);
  const usage: AiUsage =
    price.unit === 'token'
      ? { model: input.model, inputTokens: input.inputTokens ?? toTokens(input.inputChars) ?? 0, outputTokens: input.maxOutputTokens ?? toTokens(input.maxOutputChars) ?? 0 }
      : { model: input.model, inputChars: input.inputChars ?? toChars(input.inputTokens) ?? 0, outputChars: input.maxOutputChars ?? toChars(input.maxOutputTokens) ?? 0 };
  if (input.images) usage.images = input.images;
  return calculateAiCost(table, usage, at).amountMicros;
}
