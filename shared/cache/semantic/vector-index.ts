/** Floating-point slack when comparing a similarity with the threshold: a prompt's own vector scores 1 − ~1e-16. */
export const SIMILARITY_TOLERANCE = 1e-9;

/** One stored prompt vector, pointing at the cache entry holding its answer. */
export interface VectorRecord {
  /** Stable id of the (scope, prompt) pair. */
  id: string;
  /** The entry id (`namespace:key`) of the answer in L1/L2. */
  entryId: string;
  /**
   * Only vectors of one partition are compared: it hashes the model, system prompt, sampling
   * parameters, tenant and embedder, plus the prompt's salient signature (numbers, negations, names).
   */
  partition: string;
  namespace: string;
  tags: readonly string[];
  vector: number[];
  /** Epoch ms: the answer's expiry. */
  expiresAt: number;
}

export interface VectorMatch {
  id: string;
  entryId: string;
  similarity: number;
}

export interface NearestQuery {
  partition: string;
  vector: number[];
  /** Matches below this cosine similarity are not returned. */
  minSimilarity: number;
  limit: number;
}

/** Where prompt vectors are stored and searched. */
export interface VectorIndex {
  /** `memory` or `firestore`, for stats and the README's choice. */
  readonly kind: string;
  upsert(record: VectorRecord): Promise<void>;
  /** Nearest live vectors of a partition, most similar first. */
  nearest(query: NearestQuery): Promise<VectorMatch[]>;
  remove(ids: readonly string[]): Promise<void>;
  /** Removes the vectors of a namespace or a tag (answers are gone: their vectors would dangle). */
  removeWhere(filter: { namespace?: string; tag?: string; entryId?: string }): Promise<number>;
  close?(): Promise<void>;
}

/**
 * A per-process index: brute-force dot products over one partition (vectors are unit length),
 * bounded by record count (oldest dropped first). For a single process or tests; a fleet shares
 * FirestoreVectorIndex.
 */
export class MemoryVectorIndex implements VectorIndex {
  readonly kind = 'memory';
  private readonly records = new Map<string, VectorRecord>();
  private readonly partitions = new Map<string, Set<string>>();

  constructor(
    private readonly maxRecords = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(record: VectorRecord): Promise<void> {
    this.delete(record.id);
    this.records.set(record.id, record);
    let ids = this.partitions.get(record.partition);
    if (!ids) this.partitions.set(record.partition, (ids = new Set()));
    ids.add(record.id);
    // Map iteration is insertion order: the first key is the oldest record.
    while (this.records.size > this.maxRecords) this.delete(this.records.keys().next().value as string);
  }

  async nearest(query: NearestQuery): Promise<VectorMatch[]> {
    const now = this.now();
    const out: VectorMatch[] = [];
    for (const id of this.partitions.get(query.partition) ?? []) {
      const r = this.records.get(id)!;
      if (r.expiresAt <= now) continue;
      let dot = 0;
      for (let i = 0; i < r.vector.length; i++) dot += r.vector[i]! * (query.vector[i] ?? 0);
      if (dot >= query.minSimilarity - SIMILARITY_TOLERANCE) out.push({ id, entryId: r.entryId, similarity: dot });
    }
    return out.sort((a, b) => b.similarity - a.similarity).slice(0, query.limit);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.delete(id);
  }

  async removeWhere(filter: { namespace?: string; tag?: string; entryId?: string }): Promise<number> {
    const ids = [...this.records.values()]
      .filter((r) => (filter.namespace === undefined || r.namespace === filter.namespace) && (filter.tag === undefined || r.tags.includes(filter.tag)) && (filter.entryId === undefined || r.entryId === filter.entryId))
      .map((r) => r.id);
    await this.remove(ids);
    return ids.length;
  }

  get size(): number {
    return this.records.size;
  }

  private delete(id: string): void {
    const r = this.records.get(id);
    if (!r) return;
    this.records.delete(id);
    const ids = this.partitions.get(r.partition);
    ids?.delete(id);
    if (ids?.size === 0) this.partitions.delete(r.partition);
  }
}
