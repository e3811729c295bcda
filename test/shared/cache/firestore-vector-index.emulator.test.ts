import { Firestore } from '@google-cloud/firestore';
import { GenerationCache } from '../../../shared/cache/generation-cache';
import { FirestoreVectorIndex } from '../../../shared/cache/semantic/firestore-vector-index';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';
import { testProjectId } from '../../support/test-stack';

/** Vector search on the real Firestore emulator (findNearest), answers in the run's real Redis. */
describe('FirestoreVectorIndex', () => {
  const db = new Firestore({ projectId: testProjectId() });
  const embedder = new HashingEmbedder();
  const opened: GenerationCache[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await db.terminate();
  });

  it('finds the nearest vector of a partition above the threshold, and none of another partition', async () => {
    const index = new FirestoreVectorIndex(db);
    const [a, b, c] = await embedder.embed(['reset my password', 'quarterly sales summary', 'reset the password']);
    const expiresAt = Date.now() + 60_000;
    await index.upsert({ id: 'a', entryId: 'ai-response:a', partition: 'p1', namespace: 'ai-response', tags: ['t1'], vector: a!, expiresAt });
    await index.upsert({ id: 'b', entryId: 'ai-response:b', partition: 'p1', namespace: 'ai-response', tags: [], vector: b!, expiresAt });
    await index.upsert({ id: 'x', entryId: 'ai-response:x', partition: 'p2', namespace: 'ai-response', tags: [], vector: a!, expiresAt });
    const matches = await index.nearest({ partition: 'p1', vector: c!, minSimilarity: 0.5, limit: 3 });
    expect(matches.map((m) => m.id)).toEqual(['a']);
    expect(matches[0]!.similarity).toBeGreaterThan(0.5);
    expect(await index.nearest({ partition: 'p3', vector: a!, minSimilarity: 0.1, limit: 3 })).toEqual([]);
    expect(await index.removeWhere({ tag: 't1' })).toBe(1);
    expect(await index.nearest({ partition: 'p1', vector: a!, minSimilarity: 0.99, limit: 3 })).toEqual([]);
  });

  it('refuses a vector of the wrong length (the index is declared with 768)', async () => {
    await expect(new FirestoreVectorIndex(db).upsert({ id: 'bad', entryId: 'n:k', partition: 'p', namespace: 'n', tags: [], vector: [1, 0], expiresAt: Date.now() + 1 })).rejects.toThrow(/768/);
  });

  it('lets one process reuse the answer another process gave to a paraphrase', async () => {
    const redisUrl = process.env.GOVERNOR_TEST_REDIS_URL;
    if (!redisUrl) throw new Error('GOVERNOR_TEST_REDIS_URL is not set');
    const keyPrefix = `vec${Date.now()}`;
    const make = () => new GenerationCache({ redisUrl, keyPrefix, semantic: { vectorIndex: new FirestoreVectorIndex(db) }, onError: (e) => { throw e; } });
    const [a, b] = [make(), make()];
    opened.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const request = { model: 'gemini-2.5-flash', prompt: 'Summarize the quarterly sales report for the board', tenant: 'acme' };
    let calls = 0;
    const answer = await a.wrapGenerate(request, async () => `summary ${++calls}`);
    expect(await b.wrapGenerate({ ...request, prompt: 'summarize the quarterly sales report for the board, please' }, async () => `summary ${++calls}`)).toBe(answer);
    expect(calls).toBe(1);
    expect(b.stats().semantic).toMatchObject({ hits: 1 });
    // Another tenant never sees it.
    await b.wrapGenerate({ ...request, tenant: 'globex' }, async () => `summary ${++calls}`);
    expect(calls).toBe(2);
    expect(a.semanticBackend).toMatchObject({ vectorIndex: 'firestore', embedder: 'hashing-v2-768' });
  });
});
