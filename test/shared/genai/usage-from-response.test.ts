import { aiUsageSchema } from '../../../shared/contracts/cost-event';
import { modelNameOf, usageOf } from '../../../shared/genai';

describe('usageOf', () => {
  it('takes every billed field of a usageMetadata, audio from the modality details', () => {
    const meta = {
      promptTokenCount: 10_000,
      candidatesTokenCount: 300,
      thoughtsTokenCount: 900,
      cachedContentTokenCount: 6_000,
      toolUsePromptTokenCount: 250,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 7_000 }, { modality: 'AUDIO', tokenCount: 3_000 }],
      cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 1_000 }, { modality: 'TEXT', tokenCount: 5_000 }],
    } as Parameters<typeof usageOf>[0];
    expect(usageOf(meta)).toEqual({ inputTokens: 10_000, outputTokens: 300, thoughtsTokens: 900, cachedInputTokens: 6_000, toolUseInputTokens: 250, audioInputTokens: 3_000, cachedAudioInputTokens: 1_000 });
    expect(usageOf({ promptTokenCount: 5 })).toEqual({ inputTokens: 5, outputTokens: 0 });
    expect(usageOf(undefined)).toBeUndefined();
  });

  it('always yields a valid cost event usage, clamping parts larger than their wholes towards the dearer rate', () => {
    let seed = 7;
    const next = (max: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % (max + 1);
    };
    for (let i = 0; i < 2_000; i++) {
      const meta = {
        promptTokenCount: next(1_000),
        candidatesTokenCount: next(1_000),
        cachedContentTokenCount: next(1_200),
        promptTokensDetails: [{ modality: 'AUDIO', tokenCount: next(1_200) }],
        cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: next(1_200) }],
      } as Parameters<typeof usageOf>[0];
      expect(() => aiUsageSchema.parse({ model: 'm', ...usageOf(meta) })).not.toThrow();
    }
    expect(usageOf({ promptTokenCount: 100, cachedContentTokenCount: 150 })).toEqual({ inputTokens: 100, outputTokens: 0, cachedInputTokens: 100 });
  });

  it('names the model as the price table does', () => {
    expect(['models/gemini-2.5-flash', 'publishers/google/models/gemini-2.5-pro', 'google/gemini-3.5-flash', 'gemini-2.5-flash'].map(modelNameOf)).toEqual(['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3.5-flash', 'gemini-2.5-flash']);
  });
});
