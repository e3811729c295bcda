import { z } from 'zod';
import { attributionSchema } from './attribution';
import { envelopeFields, metadataSchema } from './envelope';
import { COST_CATEGORIES } from './vocabulary';

/** One million USD in micro-USD: a single event above this is refused as a unit mistake. */
export const MAX_EVENT_AMOUNT_MICROS = 1_000_000_000_000;

const count = z.number().int().nonnegative().max(1_000_000_000);

/** Raw usage of a model call, priced server-side against the price table. */
export const aiUsageSchema = z
  .strictObject({
    model: z.string().min(1).max(128),
    inputChars: count.optional(),
    outputChars: count.optional(),
    inputTokens: count.optional(),
    outputTokens: count.optional(),
    images: count.optional(),
  })
  .refine(
    (u) => [u.inputChars, u.outputChars, u.inputTokens, u.outputTokens, u.images].some((n) => n !== undefined),
    'usage needs at least one of inputChars, outputChars, inputTokens, outputTokens, images',
  );
export type AiUsage = z.infer<typeof aiUsageSchema>;

export const costPayloadSchema = z
  .strictObject({
    category: z.enum(COST_CATEGORIES),
    amountMicros: z.number().int().nonnegative().max(MAX_EVENT_AMOUNT_MICROS).optional(),
    usage: aiUsageSchema.optional(),
    service: z.string().min(1).max(128).optional(),
    description: z.string().max(1024).optional(),
    metadata: metadataSchema.optional(),
    /** Team, tenant and tags the cost counts under (besides the agent, `source`). */
    attribution: attributionSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const given = Number(p.amountMicros !== undefined) + Number(p.usage !== undefined);
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given === 0 ? ['amountMicros'] : ['usage'],
        message: 'exactly one of amountMicros or usage is required',
      });
    }
  });
export type CostPayload = z.infer<typeof costPayloadSchema>;

export const costEventSchema = z.strictObject({
  ...envelopeFields,
  type: z.literal('cost'),
  payload: costPayloadSchema,
});
export type CostEvent = z.infer<typeof costEventSchema>;
