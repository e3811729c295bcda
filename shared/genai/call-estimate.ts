import { CHARS_PER_TOKEN_ESTIMATE, type EstimateInput } from '../pricing/ai-cost';
import type { GenerateContentParameters } from './genai-types';

export interface EstimateDefaults {
  /** Output assumed when a call sets no `maxOutputTokens`. */
  maxOutputTokens: number;
  /** Thinking assumed when a call sets no (or a dynamic, -1) `thinkingBudget`. */
  thinkingBudgetTokens: number;
}

// An image, audio or file part counts as one image's worth of prompt (258 tokens): its bytes say
// nothing about its tokens, and counting base64 as text would reserve hundreds of times too much.
const MEDIA_PART_CHARS = 258 * CHARS_PER_TOKEN_ESTIMATE;

/** Characters of text a request's contents (or any part of a config) carry. */
export function charsOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) n += charsOf(v);
    return n;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.parts)) return charsOf(o.parts);
    if (typeof o.text === 'string') return o.text.length;
    if (o.inlineData !== undefined || o.fileData !== undefined) return MEDIA_PART_CHARS;
    return JSON.stringify(o).length;
  }
  return 0;
}

/** Thinking tokens a call may spend: its budget when set, the default when dynamic or unset. */
function thinkingOf(budget: number | undefined, fallback: number): number {
  return budget !== undefined && budget >= 0 ? budget : fallback;
}

/**
 * The bound a hard budget reserves before a call: the prompt (contents, system instruction, tool
 * declarations) at 4 characters per token, plus `maxOutputTokens` and the thinking budget.
 */
export function estimateOf(model: string, params: GenerateContentParameters, defaults: EstimateDefaults): EstimateInput {
  const config = params.config ?? {};
  const inputChars = charsOf(params.contents) + charsOf(config.systemInstruction) + (config.tools ? charsOf(config.tools) : 0);
  const output = config.maxOutputTokens ?? defaults.maxOutputTokens;
  return { model, inputChars, maxOutputTokens: output + thinkingOf(config.thinkingConfig?.thinkingBudget, defaults.thinkingBudgetTokens) };
}
