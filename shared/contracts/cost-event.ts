import { z } from 'zod';
import { attributionSchema } from './attribution';
import { envelopeFields, metadataSchema } from './envelope';
import { COST_CATEGORIES } from './vocabulary';

/** One million USD in micro-USD: a single event above this is refused as a unit mistake. */
export const MAX_EVENT_AMOUNT_MICROS = 1_000_000_000_000;

const count = z.number().int().nonnegative().max(1_000_000_000);

/** The usage counts an AI cost event may carry. */
export const AI_USAGE_COUNTS = [
  'inputChars',
  'outputChars',
  'inputTokens',
  'outputTokens',
  'images',
  'cachedInputTokens',
  'audioInputTokens',
  'cachedAudioInputTokens',
  'toolUseInputTokens',
  'thoughtsTokens',
] as const;

/**
 * Raw usage of a model call, priced server-side against the price table. Token fields follow the
 * Gemini API's `usageMetadata`: `inputTokens` is `promptTokenCount` (cached and audio tokens are
 * parts of it), `toolUseInputTokens` and `thoughtsTokens` come on top (billed as input and output).
 */
export const aiUsageSchema = z
  .strictObject({
    model: z.string().min(1).max(128),
    inputChars: count.optional(),
    outputChars: count.optional(),
    inputTokens: count.optional(),
    outputTokens: count.optional(),
    images: count.optional(),
    /** `cachedContentTokenCount`: the part of inputTokens read from a context cache. */
    cachedInputTokens: count.optional(),
    /** The AUDIO part of inputTokens (`promptTokensDetails`), cached audio included. */
    audioInputTokens: count.optional(),
    /** The AUDIO part of cachedInputTokens (`cacheTokensDetails`). */
    cachedAudioInputTokens: count.optional(),
    /** `toolUsePromptTokenCount`: tool results fed back to the model, billed as input. */
    toolUseInputTokens: count.optional(),
    /** `thoughtsTokenCount`: thinking, billed as output. */
    thoughtsTokens: count.optional(),
    /**
     * A hash of the request (hex, 16–64 digits; never the prompt itself): the same (model, hash)
     * repeated is what the burn-rate breaker counts as a loop. `governGenAI` sets it.
     */
    promptHash: z.string().regex(/^[0-9a-f]{16,64}$/, 'a hex hash of the prompt (16 to 64 digits), never the prompt').optional(),
  })
  .superRefine((u, ctx) => {
    if (!AI_USAGE_COUNTS.some((k) => u[k] !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: `usage needs at least one of ${AI_USAGE_COUNTS.join(', ')}` });
      return;
    }
    const input = u.inputTokens ?? 0;
    const cached = u.cachedInputTokens ?? 0;
    const audio = u.audioInputTokens ?? 0;
    const cachedAudio = u.cachedAudioInputTokens ?? 0;
    const part = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (cached > input) part('cachedInputTokens', `is part of inputTokens: ${cached} > ${input}`);
    if (audio > input) part('audioInputTokens', `is part of inputTokens: ${audio} > ${input}`);
    if (cachedAudio > cached || cachedAudio > audio) part('cachedAudioInputTokens', `is part of cachedInputTokens and of audioInputTokens: ${cachedAudio} > ${Math.min(cached, audio)}`);
    else if (audio - cachedAudio > input - cached) part('audioInputTokens', `uncached audio (${audio - cachedAudio}) exceeds uncached input (${input - cached})`);
  });
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
