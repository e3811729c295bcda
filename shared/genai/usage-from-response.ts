import type { AiUsage } from '../contracts/cost-event';
import type { GenerateContentResponseUsageMetadata } from './genai-types';

/** A call's usage counts as a cost event carries them (the model is added by the caller). */
export type CallUsage = Omit<AiUsage, 'model'>;

type Details = GenerateContentResponseUsageMetadata['promptTokensDetails'];

function audioIn(details: Details): number {
  let n = 0;
  for (const d of details ?? []) if (d.modality === 'AUDIO') n += d.tokenCount ?? 0;
  return n;
}

/**
 * Every billed field of a Gemini `usageMetadata`: prompt (cached and audio parts named), answer,
 * thinking and tool-use prompt tokens. Zero counts are left out so events stay small.
 */
export function usageOf(meta: GenerateContentResponseUsageMetadata | undefined): CallUsage | undefined {
  if (!meta) return undefined;
  const usage: CallUsage = { inputTokens: meta.promptTokenCount ?? 0, outputTokens: meta.candidatesTokenCount ?? 0 };
  const optional: [keyof CallUsage, number][] = [
    ['cachedInputTokens', meta.cachedContentTokenCount ?? 0],
    ['audioInputTokens', audioIn(meta.promptTokensDetails)],
    ['cachedAudioInputTokens', audioIn(meta.cacheTokensDetails)],
    ['toolUseInputTokens', meta.toolUsePromptTokenCount ?? 0],
    ['thoughtsTokens', meta.thoughtsTokenCount ?? 0],
  ];
  for (const [field, n] of optional) if (n > 0) usage[field] = n;
  return usage;
}

/** `models/gemini-2.5-flash`, `publishers/google/models/gemini-2.5-flash`, `google/gemini-2.5-flash` → `gemini-2.5-flash`. */
export function modelNameOf(model: string): string {
  return model.slice(model.lastIndexOf('/') + 1);
}
