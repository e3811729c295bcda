import { z } from 'zod';
import { OptionsError } from '../contracts/validation-error';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a plain decimal string (USD), e.g. "0.00002"');
const isoDate = z.iso.date();

/** Prices for one model from one date on. Rates are USD per `per` units of `unit`. */
export const modelPriceSchema = z.strictObject({
  model: z.string().min(1),
  unit: z.enum(['char', 'token']),
  per: z.union([z.literal(1000), z.literal(1_000_000)]),
  input: decimal,
  output: decimal,
  /** Audio input, when it costs more than text (token-priced models; absent: the input rate). */
  audioInput: decimal.optional(),
  /** Input read from a context cache, implicit or explicit (absent: the input rate, never less). */
  cachedInput: decimal.optional(),
  /** Cached audio input (absent: the audio input rate). */
  cachedAudioInput: decimal.optional(),
  /** Higher rates for the whole request when the prompt is longer than the threshold. */
  longContext: z
    .strictObject({ aboveInputUnits: z.number().int().positive(), input: decimal, output: decimal, cachedInput: decimal.optional() })
    .optional(),
  /** Price of one input image, for models that bill images separately. */
  perImage: decimal.optional(),
  effectiveFrom: isoDate,
  /** Where the number came from, and how sure we are of it. */
  source: z.string().min(1),
  /** The model of the same generation a recommendation suggests instead (cheaper, similar use). */
  cheaperAlternative: z.string().optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Seed infrastructure rates: USD per one unit named in `unit`. */
export const infraPriceSchema = z.strictObject({
  resource: z.enum(['storage', 'egress', 'firestoreReads', 'firestoreWrites', 'cloudRunVcpu', 'cloudRunMemory', 'redis']),
  unit: z.string().min(1),
  usdPerUnit: decimal,
  effectiveFrom: isoDate,
  source: z.string().min(1),
});
export type InfraPrice = z.infer<typeof infraPriceSchema>;

export const priceTableSchema = z
  .strictObject({ models: z.array(modelPriceSchema).min(1), infrastructure: z.array(infraPriceSchema) })
  .superRefine((table, ctx) => {
    const seen = new Set<string>();
    for (const [i, p] of table.models.entries()) {
      const key = `${p.model}@${p.effectiveFrom}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['models', i], message: `duplicate price for ${key}` });
      seen.add(key);
      if (p.cheaperAlternative && !table.models.some((m) => m.model === p.cheaperAlternative)) {
        ctx.addIssue({ code: 'custom', path: ['models', i, 'cheaperAlternative'], message: `${p.cheaperAlternative} has no price` });
      }
      if (p.unit === 'char') {
        for (const field of ['audioInput', 'cachedInput', 'cachedAudioInput'] as const) {
          if (p[field] !== undefined) ctx.addIssue({ code: 'custom', path: ['models', i, field], message: 'token-priced models only' });
        }
      }
    }
  });
export type PriceTable = z.infer<typeof priceTableSchema>;

/** Validates price data at load; a bad table is a start-up error, never a silent $0. */
export function parsePriceTable(value: unknown): PriceTable {
  const parsed = priceTableSchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

/** The price of a model in force on a date: the entry with the latest effectiveFrom not after it. */
export function priceOn(table: PriceTable, model: string, at: Date): ModelPrice | undefined {
  const day = at.toISOString().slice(0, 10);
  let best: ModelPrice | undefined;
  for (const p of table.models) {
    if (p.model === model && p.effectiveFrom <= day && (!best || p.effectiveFrom > best.effectiveFrom)) best = p;
  }
  return best;
}
