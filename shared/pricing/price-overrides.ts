import { ValidationError } from '../contracts/validation-error';
import { modelPriceSchema, parsePriceTable, type ModelPrice, type PriceTable } from './price-table';
import { parseDecimal } from './rational';

/** How far a new price may move from the entry it follows before it needs `force`. */
export const MAX_PRICE_STEP_FACTOR = 10;

/** Why a new price entry was refused; `needsForce` when only the 10× rule refused it. */
export class PriceChangeError extends Error {
  override readonly name = 'PriceChangeError';
  constructor(
    message: string,
    readonly needsForce = false,
  ) {
    super(message);
  }
}

/** Validates one entry as an operator typed it: a bad field throws ValidationError naming it. */
export function parseModelPrice(value: unknown): ModelPrice {
  const parsed = modelPriceSchema.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** The built-in table plus stored entries, validated together (a duplicate or dangling reference throws). */
export function withEntries(base: PriceTable, entries: readonly ModelPrice[]): PriceTable {
  return parsePriceTable({ models: [...base.models, ...entries], infrastructure: base.infrastructure });
}

const asNumber = (decimal: string) => {
  const r = parseDecimal(decimal);
  return Number(r.num) / Number(r.den);
};

/** Rates compared for the 10× rule: the ones both entries give. */
const STEP_RATES = ['input', 'output', 'cachedInput', 'audioInput'] as const;

function stepOf(before: string, after: string): number {
  const [a, b] = [asNumber(before), asNumber(after)];
  if (a === b) return 1;
  if (a === 0 || b === 0) return Number.POSITIVE_INFINITY;
  return Math.max(a / b, b / a);
}

/**
 * Checks a new entry against the table it joins. History is never edited: an entry for a date a
 * model already has, or before its latest entry, is refused, and so is a past date for a model
 * that already has a price (events already recorded keep their price). A model's first price may
 * start in the past: that is how usage charged provisionally gets its exact price. A price more
 * than 10× away from the entry it follows is refused unless `force`.
 */
export function checkNewPrice(table: PriceTable, entry: ModelPrice, options: { today: string; force?: boolean }): void {
  const history = table.models.filter((p) => p.model === entry.model).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  if (history.some((p) => p.effectiveFrom === entry.effectiveFrom)) {
    throw new PriceChangeError(`${entry.model} already has a price from ${entry.effectiveFrom}; history is never edited: add one with a later effectiveFrom`);
  }
  const latest = history.at(-1);
  if (latest && latest.effectiveFrom > entry.effectiveFrom) {
    throw new PriceChangeError(`${entry.model} has a price from ${latest.effectiveFrom}; a new one must start after it (history is never edited)`);
  }
  if (latest && entry.effectiveFrom < options.today) {
    throw new PriceChangeError(`effectiveFrom ${entry.effectiveFrom} is in the past and ${entry.model} already has a price: events already recorded keep theirs; start it ${options.today} or later`);
  }
  if (latest && entry.unit !== latest.unit) throw new PriceChangeError(`${entry.model} is priced per ${latest.unit}; a new entry must be too`);
  if (latest && !options.force) {
    const jumps = STEP_RATES.filter((k) => latest[k] !== undefined && entry[k] !== undefined && stepOf(latest[k] as string, entry[k] as string) > MAX_PRICE_STEP_FACTOR);
    if (jumps.length > 0) {
      const detail = jumps.map((k) => `${k} ${latest[k]} → ${entry[k]}`).join(', ');
      throw new PriceChangeError(`${entry.model}: ${detail} is more than ${MAX_PRICE_STEP_FACTOR}× away from the entry of ${latest.effectiveFrom} (per ${latest.per} ${latest.unit}s); pass --force if it is right`, true);
    }
  }
  withEntries(table, [entry]);
}

/** The earliest entry of a model: the price its provisionally charged usage gets once it has one. */
export function firstPriceOf(table: PriceTable, model: string): ModelPrice | undefined {
  let first: ModelPrice | undefined;
  for (const p of table.models) if (p.model === model && (!first || p.effectiveFrom < first.effectiveFrom)) first = p;
  return first;
}
