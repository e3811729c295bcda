// `governor/cache`: the response cache (L1 in process, L2 on Redis, HTTP caching headers) and semantic reuse of AI answers.
export { createCache, GenerationCache } from './generation-cache';
export type { GenerationCacheOptions, SemanticOptions, WrapOptions } from './generation-cache';
export { ResponseCache } from './response-cache';
export type { ResponseCacheOptions, SetOptions, GetOrSetOptions, WarmResult } from './response-cache';
export { CACHE_DEFAULTS, DEFAULT_NAMESPACES } from './cache-options';
export type { NamespacePolicy, CacheSettings } from './cache-options';
export { CacheKeyError } from './cache-entry';
export type { CacheStats, TierStats, CacheTier, LookupOutcome } from './cache-stats';
export type { CacheMetricsSink } from './cache-metrics-feed';
export type { DegradedReport } from './degraded-reporter';
export type { GenerateRequest } from './semantic/generate-request';
export type { Embedder } from './semantic/embedder';
export { HashingEmbedder } from './semantic/hashing-embedder';
export { MemoryVectorIndex } from './semantic/vector-index';
export type { VectorIndex, VectorRecord, VectorMatch } from './semantic/vector-index';
