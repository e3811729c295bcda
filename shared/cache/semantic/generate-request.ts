import { z } from 'zod';
import { OptionsError } from '../../contracts/validation-error';
import { sha256 } from '../cache-entry';
import { namespaceSchema, tagSchema } from '../cache-options';
import type { Embedder } from './embedder';
import { salientSignature } from './salient-signature';
import { contentStems } from './text-features';

/** What `wrapGenerate` keys an answer by. Everything but the prompt must match exactly for any reuse. */
export const generateRequestSchema = z.strictObject({
  model: z.string().min(1).max(200),
  prompt: z.string().min(1),
  /** The system prompt / instruction. */
  system: z.string().optional(),
  temperature: z.number().finite().optional(),
  topP: z.number().finite().optional(),
  topK: z.number().finite().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  /** Whose data this is: answers never cross tenants. */
  tenant: z.string().min(1).max(200).optional(),
  /** Any other generation parameter (tools, response schema, safety settings…): compared exactly. */
  params: z.record(z.string(), z.unknown()).optional(),
  /** Where the answer is kept (default `ai-response`: L1 1 h, L2 24 h). */
  namespace: namespaceSchema.optional(),
  tags: z.array(tagSchema).optional(),
});
export type GenerateRequest = z.infer<typeof generateRequestSchema>;

export function parseGenerateRequest(request: unknown): GenerateRequest {
  const parsed = generateRequestSchema.safeParse(request);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error, ['request']);
  return parsed.data;
}

/** JSON with sorted keys, so equal parameters hash equal whatever their order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Whitespace runs fold to one space: "a  b\n" and "a b" are the same prompt. */
export function normalizePrompt(prompt: string): string {
  return prompt.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** The hash of everything but the prompt: model, system prompt, sampling parameters, tenant, other params. */
export function scopeOf(r: GenerateRequest): string {
  return sha256(canonicalJson({ model: r.model, system: r.system ?? null, temperature: r.temperature ?? null, topP: r.topP ?? null, topK: r.topK ?? null, maxOutputTokens: r.maxOutputTokens ?? null, tenant: r.tenant ?? null, params: r.params ?? null }));
}

/** The exact-match key of a request: scope + normalized prompt. */
export function exactKeyOf(r: GenerateRequest): string {
  return `gen-${sha256(`${scopeOf(r)}\n${normalizePrompt(r.prompt)}`)}`;
}

/**
 * What two prompts must share to be compared at all: the salient signature (numbers, names,
 * relations, periods, negations) and, for an embedder that compares words rather than meanings,
 * the set of content words — such an embedder scores "… for the premium plan" and "… for the basic
 * plan" above any useful threshold once the prompt is long, so only their order is left to it.
 */
export function promptPartition(prompt: string, embedder: Pick<Embedder, 'lexical'>): string {
  const signature = salientSignature(prompt).join('\u0000');
  return embedder.lexical ? `${signature}\n${[...new Set(contentStems(prompt))].sort().join(' ')}` : signature;
}

/** The vector partition: scope + embedder + the prompt's partition (above). */
export function partitionOf(r: GenerateRequest, embedder: Pick<Embedder, 'id' | 'lexical'>): string {
  return sha256(`${scopeOf(r)}\n${embedder.id}\n${promptPartition(r.prompt, embedder)}`);
}
