import { CallGovernor } from './call-governor';
import { resolveGovernOptions, type GovernGenAIOptions } from './genai-options';
import { loadGenAi, type EmbedContentParameters, type GenerateContentParameters, type GoogleGenAI } from './genai-types';

/**
 * A governed `GoogleGenAI`: the same client, whose `models.generateContent`,
 * `models.generateContentStream`, `models.embedContent` (and `chats`, built on them) pass the
 * throttle, reserve against hard budgets, use the response cache and record exact usage and
 * latency. Everything else is the original client's. Vertex AI clients are governed the same way.
 */
export function governGenAI<T extends GoogleGenAI>(ai: T, options: GovernGenAIOptions): T {
  const o = resolveGovernOptions(options);
  const governor = new CallGovernor(o);
  const original = ai.models;
  // The original stays the prototype: every other method (countTokens, list, …) behaves as before.
  const models = Object.create(original) as T['models'];
  Object.defineProperties(models, {
    generateContent: { value: (params: GenerateContentParameters) => governor.generateContent(original, params), enumerable: true },
    generateContentStream: { value: (params: GenerateContentParameters) => governor.generateContentStream(original, params), enumerable: true },
    embedContent: { value: (params: EmbedContentParameters) => governor.embedContent(original, params), enumerable: true },
  });
  // Chats call models.generateContent(Stream) of the module they were built with: build them on the governed one.
  const apiClient = (ai as unknown as { apiClient: unknown }).apiClient;
  const Chats = loadGenAi().Chats as unknown as new (models: unknown, apiClient: unknown) => T['chats'];
  const governed = Object.create(ai) as T;
  Object.defineProperties(governed, {
    models: { value: models, enumerable: true },
    chats: { value: new Chats(models, apiClient), enumerable: true },
  });
  return governed;
}
