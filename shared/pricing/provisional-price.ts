import type { AiUsage } from '../contracts/cost-event';
import { priceOn, type ModelPrice, type PriceTable } from './price-table';
import { parseDecimal } from './rational';

/** How usage of a model without a price is charged until a price is added. */
export interface UnknownModelPolicy {
  /** Charge unknown models at this priced model's rates; default the dearest entry of the model's family, else of the table. */
  chargeAs?: string;
}

// Words that name a release of a model, not what kind of model it is.
const RELEASE_WORD = /^(\d+(\.\d+)*|v\d+|preview|exp|experimental|latest|stable|\d{2,}[a-z]?)$/;

/**
 * What kind of model a name is, without its version and release words: `gemini-3.1-pro-preview`
 * → `pro`, `gemini-2.5-flash-lite-preview-06-17` → `flash-lite`, `gemini-embedding-001` → `embedding`.
 */
export function familyOf(model: string): string {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  const words = name.split('-').filter((w, i) => !(i === 0 && w === 'gemini') && !RELEASE_WORD.test(w));
  return words.join('-') || name;
}

/** USD for a million units in and a million out: how dear an entry is. */
function dearness(price: ModelPrice): number {
  const rate = (decimal: string) => {
    const r = parseDecimal(decimal);
    return Number(r.num) / Number(r.den);
  };
  const scale = 1_000_000 / price.per;
  return (rate(price.input) + rate(price.output)) * scale;
}

function unitOf(usage: Pick<AiUsage, 'inputChars' | 'outputChars'>): ModelPrice['unit'] {
  return usage.inputChars !== undefined || usage.outputChars !== undefined ? 'char' : 'token';
}

/**
 * The conservative price an unknown model is charged at on a date: the configured model's entry,
 * else the dearest entry in force of the same family, else the dearest in the table — among
 * entries in the usage's unit. Undefined only when no entry of that unit is in force.
 */
export function conservativePrice(table: PriceTable, model: string, usage: Pick<AiUsage, 'inputChars' | 'outputChars'>, at: Date, policy: UnknownModelPolicy = {}): ModelPrice | undefined {
  const unit = unitOf(usage);
  if (policy.chargeAs) {
    const configured = priceOn(table, policy.chargeAs, at);
    if (configured && configured.unit === unit) return configured;
  }
  const inForce = [...new Set(table.models.map((m) => m.model))].map((m) => priceOn(table, m, at)).filter((p): p is ModelPrice => p !== undefined && p.unit === unit);
  const family = familyOf(model);
  const sameFamily = inForce.filter((p) => familyOf(p.model) === family);
  const candidates = sameFamily.length > 0 ? sameFamily : inForce;
  let dearest: ModelPrice | undefined;
  for (const p of candidates) if (!dearest || dearness(p) > dearness(dearest)) dearest = p;
  return dearest;
}
