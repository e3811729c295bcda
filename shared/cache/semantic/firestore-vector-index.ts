import { FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import type { NearestQuery, VectorIndex, VectorMatch, VectorRecord } from './vector-index';

/** The collection of prompt vectors (declared with its vector index and TTL in infra/cache.tf). */
export const CACHE_VECTORS_COLLECTION = 'governor_cache_vectors';
/** Vector length the index is declared with; embedders used with Firestore must produce it. */
export const FIRESTORE_VECTOR_DIMENSIONS = 768;
/** TTL field: Firestore deletes a vector once its answer has expired everywhere. */
export const CACHE_VECTORS_TTL_FIELD = 'expireAt';

/**
 * Prompt vectors in Firestore, searched with `findNearest` (COSINE) pre-filtered on the partition
 * — one vector index per (partition, embedding), so a query never scans another scope's vectors.
 * One write per stored answer, one query per semantic lookup; the answers themselves stay in L1/L2.
 */
export class FirestoreVectorIndex implements VectorIndex {
  readonly kind = 'firestore';

  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(record: VectorRecord): Promise<void> {
    if (record.vector.length !== FIRESTORE_VECTOR_DIMENSIONS) {
      throw new RangeError(`vector has ${record.vector.length} dimensions; the Firestore index is declared with ${FIRESTORE_VECTOR_DIMENSIONS}`);
    }
    await this.db.collection(CACHE_VECTORS_COLLECTION).doc(record.id).set({
      partition: record.partition,
      entryId: record.entryId,
      namespace: record.namespace,
      tags: [...record.tags],
      embedding: FieldValue.vector(record.vector),
      [CACHE_VECTORS_TTL_FIELD]: Timestamp.fromMillis(record.expiresAt),
      storedAt: Timestamp.fromMillis(this.now()),
    });
  }

  async nearest(query: NearestQuery): Promise<VectorMatch[]> {
    const snapshot = await this.db
      .collection(CACHE_VECTORS_COLLECTION)
      .where('partition', '==', query.partition)
      .findNearest({
        vectorField: 'embedding',
        queryVector: query.vector,
        limit: query.limit,
        distanceMeasure: 'COSINE',
        distanceResultField: '_distance',
        // COSINE distance is 1 − similarity.
        distanceThreshold: 1 - query.minSimilarity,
      })
      .get();
    const now = this.now();
    return snapshot.docs
      .filter((d) => (d.get(CACHE_VECTORS_TTL_FIELD) as Timestamp).toMillis() > now)
      .map((d) => ({ id: d.id, entryId: d.get('entryId') as string, similarity: 1 - (d.get('_distance') as number) }));
  }

  async remove(ids: readonly string[]): Promise<void> {
    const batch = this.db.batch();
    for (const id of ids) batch.delete(this.db.collection(CACHE_VECTORS_COLLECTION).doc(id));
    if (ids.length) await batch.commit();
  }

  async removeWhere(filter: { namespace?: string; tag?: string; entryId?: string }): Promise<number> {
    let q = this.db.collection(CACHE_VECTORS_COLLECTION).select();
    if (filter.namespace !== undefined) q = q.where('namespace', '==', filter.namespace);
    if (filter.tag !== undefined) q = q.where('tags', 'array-contains', filter.tag);
    if (filter.entryId !== undefined) q = q.where('entryId', '==', filter.entryId);
    let removed = 0;
    // Pages of 400 deletes: under the 500-write batch limit.
    for (;;) {
      const page = await q.limit(400).get();
      if (page.empty) return removed;
      const batch = this.db.batch();
      for (const d of page.docs) batch.delete(d.ref);
      await batch.commit();
      removed += page.size;
      if (page.size < 400) return removed;
    }
  }
}
