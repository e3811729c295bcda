import { GenerationCache } from '../../../shared/cache/generation-cache';
import { cosineSimilarity } from '../../../shared/cache/semantic/embedder';
import { GeminiEmbedder } from '../../../shared/cache/semantic/gemini-embedder';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';
import { shareUndiciDispatcher } from '../../support/undici-dispatcher';
import { startGeminiStandIn, type GeminiStandIn } from './gemini-stand-in';

/** The real @google/genai client against the in-process Gemini REST stand-in (gemini-stand-in.ts). */
describe('GeminiEmbedder', () => {
  let standIn: GeminiStandIn;
  let baseUrl: string;
  let requests: GeminiStandIn['requests'];
  const model = new HashingEmbedder({ dimensions: 768 });

  beforeAll(async () => {
    await shareUndiciDispatcher();
    standIn = await startGeminiStandIn(model);
    baseUrl = standIn.baseUrl;
    requests = standIn.requests;
  });
  afterAll(() => standIn.close());

  const embedder = (options: ConstructorParameters<typeof GeminiEmbedder>[0] = {}) => new GeminiEmbedder({ clientOptions: { apiKey: 'test-api-key', httpOptions: { baseUrl } }, ...options });

  it('embeds through the Gemini API with SEMANTIC_SIMILARITY at 768 dimensions, unit length, in order', async () => {
    requests.length = 0;
    const vectors = await embedder().embed(['reset my password', 'quarterly sales']);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toMatch(/^\/v1beta\/models\/gemini-embedding-001:batchEmbedContents/);
    expect(requests[0]!.apiKey).toBe('test-api-key');
    expect(requests[0]!.body.requests.map((r) => [r.content.parts[0]!.text, r.outputDimensionality, r.taskType])).toEqual([
      ['reset my password', 768, 'SEMANTIC_SIMILARITY'],
      ['quarterly sales', 768, 'SEMANTIC_SIMILARITY'],
    ]);
    expect(vectors).toHaveLength(2);
    expect(Math.hypot(...vectors[0]!)).toBeCloseTo(1, 9);
    expect(cosineSimilarity(vectors[0]!, model.embedOne('reset my password'))).toBeCloseTo(1, 9);
  });

  it('splits large inputs into batches', async () => {
    requests.length = 0;
    const vectors = await embedder({ maxBatch: 2 }).embed(['a b', 'c d', 'e f', 'g h', 'i j']);
    expect(vectors).toHaveLength(5);
    expect(requests.map((r) => r.body.requests.length)).toEqual([2, 2, 1]);
  });

  it('rejects with the API error, and wrapGenerate still answers (computing) when it does', async () => {
    await expect((standIn.failNext(400), embedder().embed(['x']))).rejects.toThrow(/API key not valid/);
    const errors: string[] = [];
    const cache = new GenerationCache({ redisUrl: '', semantic: { embedder: embedder() }, onError: (e, c) => errors.push(`${c}: ${(e as Error).message}`) });
    standIn.failNext(400);
    expect(await cache.wrapGenerate({ model: 'gemini-2.5-flash', prompt: 'hello there' }, async () => 'computed')).toBe('computed');
    expect(errors.join('\n')).toMatch(/embedding with gemini-gemini-embedding-001-768.*API key not valid/);
    // With the API back, paraphrases reuse answers through Gemini's vectors.
    await cache.wrapGenerate({ model: 'gemini-2.5-flash', prompt: 'How do I reset my password?' }, async () => 'reset answer');
    expect(await cache.wrapGenerate({ model: 'gemini-2.5-flash', prompt: 'how can I reset my password' }, async () => 'recomputed')).toBe('reset answer');
    await cache.close();
  });

  it('refuses bad options by name', () => {
    expect(() => embedder({ dimensions: 0 })).toThrow(/dimensions/);
    expect(() => embedder({ maxBatch: 500 })).toThrow(/maxBatch/);
  });
});
