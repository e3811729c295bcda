import { createHash } from 'node:crypto';
import { loadGenAi } from './genai-types';

export const CACHE_NAMESPACE = 'genai';

/** A response as the cache keeps it: plain JSON and which class to rebuild on a hit. */
export interface StoredResponse {
  kind: 'generate' | 'embed';
  body: Record<string, unknown>;
  cacheable: boolean;
}

/** A request whose caller can cancel it, or that sets its own HTTP options, is not shared. */
export function cacheable(params: { config?: object }): boolean {
  const config = (params.config ?? {}) as { abortSignal?: unknown; httpOptions?: unknown };
  return config.abortSignal === undefined && config.httpOptions === undefined;
}

/** Model, contents and config decide the answer: their JSON, hashed. */
export function requestKey(params: { model: string; contents?: unknown; config?: object }): string {
  return createHash('sha256').update(JSON.stringify([params.model, params.contents ?? null, params.config ?? null])).digest('base64url');
}

export function storedForm(response: object): StoredResponse {
  const { sdkHttpResponse: _http, ...body } = response as Record<string, unknown>;
  const generate = 'candidates' in body || 'usageMetadata' in body || 'promptFeedback' in body;
  // Only a complete answer is worth serving again (not a blocked prompt or an empty candidate).
  const candidates = body.candidates as { content?: unknown; finishReason?: string }[] | undefined;
  const ok = generate ? Boolean(candidates?.some((c) => c.content && (c.finishReason ?? 'STOP') === 'STOP')) : Array.isArray(body.embeddings);
  return { kind: generate ? 'generate' : 'embed', body: JSON.parse(JSON.stringify(body)) as Record<string, unknown>, cacheable: ok };
}

/** A fresh instance of the SDK's response class (its getters such as `.text` work), never the cached object itself. */
export function rehydrate(stored: StoredResponse): object {
  const genai = loadGenAi();
  const instance = stored.kind === 'generate' ? new genai.GenerateContentResponse() : new genai.EmbedContentResponse();
  return Object.assign(instance, JSON.parse(JSON.stringify(stored.body)) as object);
}
