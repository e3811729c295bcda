import { Firestore } from '@google-cloud/firestore';
import { OptionsError } from '../contracts/validation-error';
import type { SemanticOptions } from './generation-cache';
import { FirestoreVectorIndex } from './semantic/firestore-vector-index';
import { GeminiEmbedder } from './semantic/gemini-embedder';
import { HashingEmbedder } from './semantic/hashing-embedder';
import type { Embedder } from './semantic/embedder';

export const EMBEDDER_NAMES = ['hashing', 'gemini'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];

/** The named embedder; Gemini's key from GEMINI_API_KEY / GOOGLE_API_KEY, its endpoint from GOVERNOR_GEMINI_ENDPOINT when set. */
export function embedderNamed(name: EmbedderName, env: NodeJS.ProcessEnv = process.env): Embedder {
  if (name === 'hashing') return new HashingEmbedder();
  return new GeminiEmbedder(env.GOVERNOR_GEMINI_ENDPOINT ? { clientOptions: { apiKey: env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY, httpOptions: { baseUrl: env.GOVERNOR_GEMINI_ENDPOINT } } } : {});
}

/**
 * Semantic-reuse settings from the environment, for the CLI and agents that configure by env:
 * GOVERNOR_CACHE_EMBEDDER (`hashing` | `gemini`), GOVERNOR_CACHE_VECTOR_INDEX (`memory` |
 * `firestore`), GOVERNOR_CACHE_SIMILARITY_THRESHOLD, GOVERNOR_GEMINI_ENDPOINT (a plain-HTTP base URL).
 */
export function semanticFromEnv(env: NodeJS.ProcessEnv = process.env, firestore: () => Firestore = () => new Firestore()): SemanticOptions {
  const embedderName = env.GOVERNOR_CACHE_EMBEDDER ?? 'hashing';
  const indexName = env.GOVERNOR_CACHE_VECTOR_INDEX ?? 'memory';
  const threshold = env.GOVERNOR_CACHE_SIMILARITY_THRESHOLD;
  if (!(EMBEDDER_NAMES as readonly string[]).includes(embedderName)) throw new OptionsError([{ path: 'GOVERNOR_CACHE_EMBEDDER', message: `"${embedderName}": hashing or gemini` }]);
  if (!['memory', 'firestore'].includes(indexName)) throw new OptionsError([{ path: 'GOVERNOR_CACHE_VECTOR_INDEX', message: `"${indexName}": memory or firestore` }]);
  if (threshold !== undefined && !(Number(threshold) > 0 && Number(threshold) <= 1)) {
    throw new OptionsError([{ path: 'GOVERNOR_CACHE_SIMILARITY_THRESHOLD', message: `"${threshold}": a number in (0, 1]` }]);
  }
  const embedder = embedderNamed(embedderName as EmbedderName, env);
  return {
    embedder,
    ...(indexName === 'firestore' ? { vectorIndex: new FirestoreVectorIndex(firestore()) } : {}),
    ...(threshold !== undefined ? { threshold: Number(threshold) } : {}),
  };
}
