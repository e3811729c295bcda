// @google/genai ships CommonJS for Node (`require` condition) but ESM-only types: types come from
// here, the runtime from loadGenAi(). One place, so the rest of the folder reads plainly.
export type {
  GoogleGenAI,
  GenerateContentParameters,
  GenerateContentResponse,
  GenerateContentResponseUsageMetadata,
  EmbedContentParameters,
  EmbedContentResponse,
  ContentListUnion,
  ContentUnion,
} from '@google/genai' with { 'resolution-mode': 'import' };

export type GenAiModule = typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });

/** The package's runtime, loaded by hand (its `import` types are not usable from CommonJS). */
export function loadGenAi(): GenAiModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@google/genai') as GenAiModule;
}
