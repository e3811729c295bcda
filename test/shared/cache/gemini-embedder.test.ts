import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GenerationCache } from '../../../shared/cache/generation-cache';
import { cosineSimilarity } from '../../../shared/cache/semantic/embedder';
import { GeminiEmbedder } from '../../../shared/cache/semantic/gemini-embedder';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';
import { shareUndiciDispatcher } from '../../support/undici-dispatcher';

/**
 * The real @google/genai client against an in-process server speaking the Gemini API's REST
 * surface (`POST /v1beta/models/{model}:batchEmbedContents`). The server plays the model with the
 * hashing embedder, scaled so the client's re-normalisation is exercised.
 */
describe('GeminiEmbedder', () => {
  let server: Server;
  let baseUrl: string;
  const requests: { path: string; apiKey: string | undefined; body: { requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number; taskType?: string }[] } }[] = [];
  let failNext: number | undefined;
  const model = new HashingEmbedder({ dimensions: 768 });

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  };

  beforeAll(async () => {
    await shareUndiciDispatcher();
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        requests.push({ path: req.url ?? '', apiKey: req.headers['x-goog-api-key'] as string | undefined, body });
        if (failNext) {
          res.writeHead(failNext, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: failNext, message: 'API key not valid', status: 'INVALID_ARGUMENT' } }));
          failNext = undefined;
          return;
        }
        const embeddings = body.requests.map((r: { content: { parts: { text: string }[] } }) => ({ values: model.embedOne(r.content.parts.map((p) => p.text).join(' ')).map((x) => x * 3) }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ embeddings }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
    await expect((failNext = 400, embedder().embed(['x']))).rejects.toThrow(/API key not valid/);
    const errors: string[] = [];
    const cache = new GenerationCache({ redisUrl: '', semantic: { embedder: embedder() }, onError: (e, c) => errors.push(`${c}: ${(e as Error).message}`) });
    failNext = 400;
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
