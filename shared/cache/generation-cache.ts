import { performance } from 'node:perf_hooks';
import { PRICE_TABLE } from '../pricing/price-data';
import type { PriceTable } from '../pricing/price-table';
import { generationCostMicros, PricingError } from './avoided-cost';
import { checkTags, entryIdOf, sha256, type CacheEntry } from './cache-entry';
import { ResponseCache, type ResolveHooks, type ResponseCacheOptions, type WarmResult } from './response-cache';
import type { Embedder } from './semantic/embedder';
import { exactKeyOf, normalizePrompt, parseGenerateRequest, partitionOf, type GenerateRequest } from './semantic/generate-request';
import { HashingEmbedder } from './semantic/hashing-embedder';
import { MemoryVectorIndex, type VectorIndex } from './semantic/vector-index';

export interface SemanticOptions {
  /** Default: the offline HashingEmbedder. Production: GeminiEmbedder. */
  embedder?: Embedder;
  /** Default: a per-process MemoryVectorIndex. A fleet: FirestoreVectorIndex. */
  vectorIndex?: VectorIndex;
  /** Cosine similarity at or above which an earlier answer is reused (default: the embedder's conservative one). */
  threshold?: number;
  /** Nearest vectors tried per lookup (a candidate whose answer expired is skipped). */
  maxCandidates?: number;
}

export interface GenerationCacheOptions extends ResponseCacheOptions {
  /** Semantic reuse for wrapGenerate; `false` turns it off (exact matches only). */
  semantic?: SemanticOptions | false;
  /** Prices of the avoided calls (default: Governor's price table). */
  priceTable?: PriceTable;
}

export interface WrapOptions<T> {
  /** The call's cost in micro-USD, if known; default: priced from the result's usageMetadata (or lengths). */
  costMicros?: number | ((value: T) => number | undefined);
  /** Whether an answer may be stored (e.g. not a blocked or empty one). */
  cacheIf?: (value: T) => boolean;
}

const DEFAULT_NAMESPACE = 'ai-response';
const SEMANTIC_DEFAULTS = { maxCandidates: 3 } as const;

/**
 * The response cache with `wrapGenerate`: an answer for the same model and parameters is reused
 * on an exact prompt match, or — semantic reuse — when an earlier prompt's embedding is at least
 * `threshold` similar and both prompts have the same numbers, negations and names.
 */
export class GenerationCache extends ResponseCache {
  private readonly embedder: Embedder | undefined;
  private readonly index: VectorIndex | undefined;
  private readonly threshold: number;
  private readonly maxCandidates: number;
  private readonly priceTable: PriceTable;
  private readonly unpricedModels = new Set<string>();

  constructor(options: GenerationCacheOptions = {}) {
    super(options);
    this.priceTable = options.priceTable ?? PRICE_TABLE;
    const semantic = options.semantic === false ? undefined : (options.semantic ?? {});
    this.embedder = semantic ? (semantic.embedder ?? new HashingEmbedder()) : undefined;
    this.index = semantic ? (semantic.vectorIndex ?? new MemoryVectorIndex(50_000, this.now)) : undefined;
    this.threshold = semantic?.threshold ?? this.embedder?.defaultThreshold ?? 1;
    this.maxCandidates = semantic?.maxCandidates ?? SEMANTIC_DEFAULTS.maxCandidates;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`semantic.threshold must be in (0, 1], got ${this.threshold}`);
  }

  /** The vector store in use (`memory`, `firestore`) and the embedder, or undefined when semantic reuse is off. */
  get semanticBackend(): { vectorIndex: string; embedder: string; threshold: number } | undefined {
    return this.index && this.embedder ? { vectorIndex: this.index.kind, embedder: this.embedder.id, threshold: this.threshold } : undefined;
  }

  /**
   * A stored answer for this request, or `fn()`'s (stored for the next caller). Never reuses an
   * answer across models, system prompts, sampling parameters, other params or tenants.
   */
  async wrapGenerate<T>(request: GenerateRequest, fn: () => Promise<T> | T, options: WrapOptions<T> = {}): Promise<T> {
    const r = parseGenerateRequest(request);
    const id = entryIdOf(r.namespace ?? DEFAULT_NAMESPACE, exactKeyOf(r));
    const entry = await this.resolve(id, fn, { tags: r.tags ?? [], model: r.model, costMicros: options.costMicros ?? ((v: T) => this.priceOf(r, v)), ...(options.cacheIf ? { cacheIf: options.cacheIf } : {}) }, this.semanticHooks(r));
    return entry.value as T;
  }

  /** Computes and stores answers for requests not cached yet (a few at a time); failures are listed, not thrown. */
  async warmGenerate<T>(items: readonly { request: GenerateRequest; generate: () => Promise<T> | T }[], options: { concurrency?: number } = {}): Promise<WarmResult> {
    const result: WarmResult = { warmed: 0, alreadyCached: 0, failed: [] };
    const queue = [...items];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        try {
          const r = parseGenerateRequest(item.request);
          const id = entryIdOf(r.namespace ?? DEFAULT_NAMESPACE, exactKeyOf(r));
          if (await this.store.read(id)) {
            result.alreadyCached += 1;
            continue;
          }
          await this.resolve(id, item.generate, { tags: r.tags ?? [], model: r.model, costMicros: (v: T) => this.priceOf(r, v) }, this.semanticHooks(r, false), false);
          result.warmed += 1;
        } catch (error) {
          result.failed.push({ key: item.request?.prompt?.slice(0, 80) ?? '?', error: (error as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, items.length)) }, worker));
    return result;
  }

  /** Stores a known answer for a request (warming from a file of answers), exact and semantic. */
  async storeGenerated(request: GenerateRequest, value: unknown, options: { costMicros?: number } = {}): Promise<void> {
    const r = parseGenerateRequest(request);
    const id = entryIdOf(r.namespace ?? DEFAULT_NAMESPACE, exactKeyOf(r));
    const entry = await this.store.write(id, value, { tags: checkTags(r.tags ?? []), model: r.model, ...((options.costMicros ?? this.priceOf(r, value)) !== undefined ? { costMicros: options.costMicros ?? this.priceOf(r, value) } : {}) });
    if (this.embedder && this.index) {
      const [vector] = await this.embedder.embed([normalizePrompt(r.prompt)]);
      if (vector) await this.index.upsert(this.recordOf(r, id, vector, entry));
    }
  }

  override async invalidate(target: { namespace: string; key?: string } | { tag: string }): Promise<number> {
    const n = await super.invalidate(target);
    // Answers are gone; their vectors would only dangle (lookups skip dangling ones anyway).
    const filter = 'tag' in target ? { tag: target.tag } : target.key !== undefined ? { entryId: entryIdOf(target.namespace, target.key) } : { namespace: target.namespace };
    await this.index?.removeWhere(filter).catch((e: unknown) => this.reportError(e, 'vector index cleanup'));
    return n;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.index?.close?.();
  }

  protected override semanticEnabled(): boolean {
    return this.index !== undefined;
  }

  private semanticHooks(r: GenerateRequest, lookup = true): ResolveHooks {
    const embedder = this.embedder;
    const index = this.index;
    if (!embedder || !index) return {};
    let vector: number[] | undefined;
    const embed = async () => {
      try {
        vector ??= (await embedder.embed([normalizePrompt(r.prompt)]))[0];
      } catch (error) {
        this.reportError(error, `embedding with ${embedder.id}`);
      }
      return vector;
    };
    return {
      beforeCompute: lookup ? () => this.semanticLookup(r, embed) : undefined,
      afterStore: async (entry, id) => {
        const v = await embed();
        if (v) await index.upsert(this.recordOf(r, id, v, entry)).catch((e: unknown) => this.reportError(e, `vector upsert (${index.kind})`));
      },
    };
  }

  private async semanticLookup(r: GenerateRequest, embed: () => Promise<number[] | undefined>): Promise<CacheEntry | undefined> {
    const t0 = performance.now();
    let found: CacheEntry | undefined;
    const vector = await embed();
    if (vector) {
      try {
        const matches = await this.index!.nearest({ partition: partitionOf(r, this.embedder!.id), vector, minSimilarity: this.threshold, limit: this.maxCandidates });
        const dangling: string[] = [];
        for (const m of matches) {
          found = (await this.store.read(m.entryId))?.entry;
          if (found) break;
          dangling.push(m.id);
        }
        // Only an authoritative answer store may say an answer is gone for everyone.
        const authoritative = this.index!.kind === 'memory' || this.store.l2?.connected === true;
        if (dangling.length && authoritative) await this.index!.remove(dangling);
      } catch (error) {
        this.reportError(error, `vector search (${this.index!.kind})`);
      }
    }
    this.counters.tiers.semantic.record(found !== undefined, (performance.now() - t0) * 1000);
    return found;
  }

  private recordOf(r: GenerateRequest, entryId: string, vector: number[], entry: CacheEntry) {
    const partition = partitionOf(r, this.embedder!.id);
    return { id: sha256(`${partition}\n${normalizePrompt(r.prompt)}`), entryId, partition, namespace: r.namespace ?? DEFAULT_NAMESPACE, tags: r.tags ?? [], vector, expiresAt: entry.expiresAt };
  }

  /** The call's cost from the price table; a model without a price saves "unknown", said once per model. */
  private priceOf(r: GenerateRequest, value: unknown): number | undefined {
    try {
      return generationCostMicros(this.priceTable, r.model, r.prompt.length + (r.system?.length ?? 0), value, new Date(this.now()));
    } catch (error) {
      if (!(error instanceof PricingError)) throw error;
      if (!this.unpricedModels.has(r.model)) {
        this.unpricedModels.add(r.model);
        this.reportError(error, `pricing ${r.model} (hits on its answers count as unpriced)`);
      }
      return undefined;
    }
  }
}

export function createCache(options: GenerationCacheOptions = {}): GenerationCache {
  return new GenerationCache(options);
}
