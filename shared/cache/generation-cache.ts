import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { OptionsError } from '../contracts/validation-error';
import { PlanRefusedError, type CallPlan } from '../budget/call-plan';
import { PRICE_TABLE } from '../pricing/price-data';
import type { PriceTable } from '../pricing/price-table';
import { generationCostMicros, PricingError } from './avoided-cost';
import { checkTags, entryIdOf, sha256, type CacheEntry } from './cache-entry';
import { ResponseCache, type ResolveHooks, type ResponseCacheOptions, type WarmResult } from './response-cache';
import type { Embedder } from './semantic/embedder';
import { exactKeyOf, normalizePrompt, parseGenerateRequest, partitionOf, type GenerateRequest } from './semantic/generate-request';
import { HashingEmbedder } from './semantic/hashing-embedder';
import { isCommonWord } from './semantic/common-words';
import { NegativePairs } from './semantic/negative-pairs';
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
  /** The looser similarity accepted while a degrade ladder says prefer-cache (default: `threshold` − 0.1, at least 0.5). */
  preferCacheThreshold?: number;
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
  /**
   * The call's plan under the degrade ladders (`reader.plan({ category, model })`): prefer-cache
   * takes any stored answer (a looser semantic match) before computing, cache-only and a block
   * refuse with PlanRefusedError when there is none, a downgrade computes with the plan's model.
   */
  plan?: CallPlan;
}

/** What `reject` did: the answer ids of the asking prompt and of the reused answer it refused. */
export interface RejectResult {
  variant: string;
  /** The answer that was reused (and now never will be for this prompt), or null when none was. */
  source: string | null;
  /** Whether the pair is now a negative (false: nothing was reused for this prompt). */
  recorded: boolean;
  /** False when Redis is configured but could not store the pair: it holds in this process only. */
  shared: boolean;
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
  private readonly preferCacheThreshold: number;
  private readonly maxCandidates: number;
  private readonly priceTable: PriceTable;
  private readonly unpricedModels = new Set<string>();
  private readonly negatives: NegativePairs;
  /** Which answer each semantically served prompt got in this process, so `reject` needs no new search. */
  private readonly servedFrom = new LRUCache<string, string>({ max: 10_000 });

  constructor(options: GenerationCacheOptions = {}) {
    super(options);
    this.priceTable = options.priceTable ?? PRICE_TABLE;
    const semantic = options.semantic === false ? undefined : (options.semantic ?? {});
    this.embedder = semantic ? (semantic.embedder ?? new HashingEmbedder()) : undefined;
    this.index = semantic ? (semantic.vectorIndex ?? new MemoryVectorIndex(50_000, this.now)) : undefined;
    this.threshold = semantic?.threshold ?? this.embedder?.defaultThreshold ?? 1;
    this.maxCandidates = semantic?.maxCandidates ?? SEMANTIC_DEFAULTS.maxCandidates;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`semantic.threshold must be in (0, 1], got ${this.threshold}`);
    this.preferCacheThreshold = semantic?.preferCacheThreshold ?? Math.min(this.threshold, Math.max(0.5, this.threshold - 0.1));
    if (!(this.preferCacheThreshold > 0 && this.preferCacheThreshold <= this.threshold)) throw new RangeError(`semantic.preferCacheThreshold must be in (0, threshold], got ${this.preferCacheThreshold}`);
    this.negatives = new NegativePairs(this.store.l2);
    // The word list behind salient signatures takes ~0.1 s to load: off the first lookup's path.
    if (semantic) setImmediate(() => isCommonWord('a')).unref();
  }

  /** The vector store in use (`memory`, `firestore`) and the embedder, or undefined when semantic reuse is off. */
  get semanticBackend(): { vectorIndex: string; embedder: string; threshold: number } | undefined {
    return this.index && this.embedder ? { vectorIndex: this.index.kind, embedder: this.embedder.id, threshold: this.threshold } : undefined;
  }

  /**
   * A stored answer for this request, or `fn()`'s (stored for the next caller). Never reuses an
   * answer across models, system prompts, sampling parameters, other params or tenants.
   */
  async wrapGenerate<T>(request: GenerateRequest, fn: (call: { model: string }) => Promise<T> | T, options: WrapOptions<T> = {}): Promise<T> {
    const asked = parseGenerateRequest(request);
    const plan = options.plan;
    if (plan && (plan.preferCache || plan.cacheOnly || plan.blocked)) {
      const stored = await this.anyStored(asked, plan.preferCache ? this.preferCacheThreshold : this.threshold);
      if (stored) return stored.value as T;
      if (plan.blocked) throw new PlanRefusedError('blocked', plan);
      if (plan.cacheOnly) throw new PlanRefusedError('cache-only', plan);
    }
    const r = plan && plan.model !== asked.model ? { ...asked, model: plan.model } : asked;
    const id = entryIdOf(r.namespace ?? DEFAULT_NAMESPACE, exactKeyOf(r));
    const entry = await this.resolve(id, () => fn({ model: r.model }), { tags: r.tags ?? [], model: r.model, costMicros: options.costMicros ?? ((v: T) => this.priceOf(r, v)), ...(options.cacheIf ? { cacheIf: options.cacheIf } : {}) }, this.semanticHooks(r));
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

  /**
   * Says a reused answer was wrong for this request: the pair (this prompt, the answer it was
   * served) becomes a negative for good, in every process sharing Redis, so the next ask computes
   * and stores its own answer. The reused answer is the one this process served, else the one a
   * search finds now, or — given `sourcePrompt` — that prompt's answer in the same scope.
   */
  async reject(request: GenerateRequest, options: { sourcePrompt?: string } = {}): Promise<RejectResult> {
    const r = parseGenerateRequest(request);
    const namespace = r.namespace ?? DEFAULT_NAMESPACE;
    const variant = entryIdOf(namespace, exactKeyOf(r));
    let source: string | undefined;
    if (options.sourcePrompt !== undefined) {
      if (!options.sourcePrompt.trim()) throw new OptionsError([{ path: 'sourcePrompt', message: 'a non-empty prompt' }]);
      source = entryIdOf(namespace, exactKeyOf({ ...r, prompt: options.sourcePrompt }));
      if (source === variant) throw new OptionsError([{ path: 'sourcePrompt', message: 'is the prompt itself: a wrong computed answer is dropped with invalidate()' }]);
    } else if (!(await this.store.read(variant))) {
      // A prompt with an answer of its own was not served anyone else's: there is nothing to reject.
      source = this.servedFrom.get(variant) ?? (await this.semanticMatch(r, variant))?.entryId;
    }
    if (source === undefined) return { variant, source: null, recorded: false, shared: true };
    this.servedFrom.delete(variant);
    const shared = await this.negatives.add(variant, source);
    return { variant, source, recorded: true, shared };
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

  private semanticHooks(r: GenerateRequest, lookup = true): ResolveHooks & { embed?: () => Promise<number[] | undefined> } {
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
      embed,
      beforeCompute: lookup ? () => this.semanticLookup(r, embed) : undefined,
      afterStore: async (entry, id) => {
        const v = await embed();
        if (v) await index.upsert(this.recordOf(r, id, v, entry)).catch((e: unknown) => this.reportError(e, `vector upsert (${index.kind})`));
      },
    };
  }

  /** A stored answer for the request as asked, exact or at least `minSimilarity` similar; counted as one lookup. */
  private async anyStored(r: GenerateRequest, minSimilarity: number): Promise<CacheEntry | undefined> {
    const id = entryIdOf(r.namespace ?? DEFAULT_NAMESPACE, exactKeyOf(r));
    const exact = await this.store.read(id);
    if (exact) {
      this.outcome(exact.tier, exact.entry);
      return exact.entry;
    }
    const similar = this.index ? (await this.semanticMatch(r, id, undefined, minSimilarity))?.entry : undefined;
    this.outcome(similar ? 'semantic' : 'miss', similar);
    return similar;
  }

  private async semanticLookup(r: GenerateRequest, embed: () => Promise<number[] | undefined>): Promise<CacheEntry | undefined> {
    const t0 = performance.now();
    const variant = entryIdOf(r.namespace ?? DEFAULT_NAMESPACE, exactKeyOf(r));
    const found = await this.semanticMatch(r, variant, embed);
    if (found) this.servedFrom.set(variant, found.entryId);
    this.counters.tiers.semantic.record(found !== undefined, (performance.now() - t0) * 1000);
    return found?.entry;
  }

  /** The nearest live answer of the same partition that was not rejected for this prompt. */
  private async semanticMatch(r: GenerateRequest, variant: string, embed?: () => Promise<number[] | undefined>, minSimilarity = this.threshold): Promise<{ entry: CacheEntry; entryId: string } | undefined> {
    const vector = await (embed ?? this.semanticHooks(r).embed)?.();
    if (!vector) return undefined;
    try {
      const matches = await this.index!.nearest({ partition: partitionOf(r, this.embedder!), vector, minSimilarity, limit: this.maxCandidates });
      const rejected = matches.length ? await this.negatives.of(variant) : new Set<string>();
      const dangling: string[] = [];
      let found: { entry: CacheEntry; entryId: string } | undefined;
      for (const m of matches) {
        if (m.entryId === variant || rejected.has(m.entryId)) continue;
        const entry = (await this.store.read(m.entryId))?.entry;
        if (entry) {
          found = { entry, entryId: m.entryId };
          break;
        }
        dangling.push(m.id);
      }
      // Only an authoritative answer store may say an answer is gone for everyone.
      const authoritative = this.index!.kind === 'memory' || this.store.l2?.connected === true;
      if (dangling.length && authoritative) await this.index!.remove(dangling);
      return found;
    } catch (error) {
      this.reportError(error, `vector search (${this.index!.kind})`);
      return undefined;
    }
  }

  private recordOf(r: GenerateRequest, entryId: string, vector: number[], entry: CacheEntry) {
    const partition = partitionOf(r, this.embedder!);
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
