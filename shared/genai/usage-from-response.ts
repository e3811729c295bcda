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
  const prompt = meta.promptTokenCount ?? 0;
  // Parts never exceed their wholes (the cost event refuses that): an inconsistent report is
  // clamped towards the dearer rate (cached → input), so the call is still recorded, never lost.
  const cached = Math.min(meta.cachedContentTokenCount ?? 0, prompt);
  const cachedAudio = Math.min(audioIn(meta.cacheTokensDetails), cached);
  const audio = Math.max(cachedAudio, Math.min(audioIn(meta.promptTokensDetails), prompt - cached + cachedAudio));
  const usage: CallUsage = { inputTokens: prompt, outputTokens: meta.candidatesTokenCount ?? 0 };
  const optional: [Exclude<keyof CallUsage, 'promptHash'>, number][] = [
    ['cachedInputTokens', cached],
    ['audioInputTokens', audio],
    ['cachedAudioInputTokens', cachedAudio],
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
