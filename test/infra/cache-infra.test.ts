import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { CACHE_VECTORS_COLLECTION, CACHE_VECTORS_TTL_FIELD, FIRESTORE_VECTOR_DIMENSIONS } from '../../shared/cache/semantic/firestore-vector-index';
import { HashingEmbedder } from '../../shared/cache/semantic/hashing-embedder';
import { block, loadTerraform, resource } from '../support/terraform';

describe('infra/ declares the cache vector index the code queries', () => {
  it('has a (partition, embedding) vector index of the embedders dimension, in Terraform and firestore.indexes.json', async () => {
    const tf = await loadTerraform(join(repoRoot(), 'infra'));
    expect(tf.locals.cache_vectors_collection).toBe(CACHE_VECTORS_COLLECTION);
    expect(tf.locals.cache_vector_dimensions).toBe(FIRESTORE_VECTOR_DIMENSIONS);
    expect(new HashingEmbedder().dimensions).toBe(FIRESTORE_VECTOR_DIMENSIONS);
    const index = resource(tf, 'google_firestore_index', 'cache_vectors_nearest');
    const fields = index.fields as { field_path: string; vector_config?: { dimension: string }[] }[];
    expect(fields.map((f) => f.field_path)).toEqual(['partition', 'embedding']);
    expect(block(fields[1]!, 'vector_config').dimension).toBe('${local.cache_vector_dimensions}');
    expect(resource(tf, 'google_firestore_field', 'cache_vectors_ttl').field).toBe(CACHE_VECTORS_TTL_FIELD);

    const json = JSON.parse(readFileSync(join(repoRoot(), 'infra/firestore.indexes.json'), 'utf8')) as { indexes: { collectionGroup: string; fields: { fieldPath: string; vectorConfig?: { dimension: number } }[] }[] };
    const declared = json.indexes.find((i) => i.collectionGroup === CACHE_VECTORS_COLLECTION);
    expect(declared?.fields.map((f) => f.fieldPath)).toEqual(['partition', 'embedding']);
    expect(declared?.fields[1]?.vectorConfig?.dimension).toBe(FIRESTORE_VECTOR_DIMENSIONS);
  });
});
