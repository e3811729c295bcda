import type { GoogleGenAI as GoogleGenAIType } from '@google/genai' with { 'resolution-mode': 'import' };
import { ResponseCache } from '../../../shared/cache/response-cache';
import type { CostEvent } from '../../../shared/contracts/cost-event';
import type { MetricEvent } from '../../../shared/contracts/metric-event';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { BudgetBlockedError, governGenAI } from '../../../shared/genai';
import { loadGenAi } from '../../../shared/genai/genai-types';
import { createPublisher, type GovernorPublisher } from '../../../shared/publisher/publisher';
import { apiError, GeminiServer, serveGeminiToSuite, textAnswer, usageMetadata } from '../../support/gemini-server';
import { MemoryTransport } from '../../support/memory-transport';

const { GoogleGenAI, ApiError } = loadGenAi();

/**
 * The real @google/genai client, governed, against an in-process Gemini REST server; events go to
 * an in-memory publisher transport (the emulator test follows them into Firestore).
 */

/** Every generate call carries its request's hash (the burn-rate breaker's loop key), never the prompt. */
const HASHED = expect.stringMatching(/^[0-9a-f]{32}$/);
describe('governGenAI', () => {
  const server = serveGeminiToSuite(new GeminiServer(() => ({ kind: 'json', body: textAnswer('hello', usageMetadata({ prompt: 12, candidates: 3 })) })));
  let transport: MemoryTransport;
  let publisher: GovernorPublisher;
  let ai: GoogleGenAIType;
  const errors: string[] = [];

  beforeEach(() => {
    transport = new MemoryTransport();
    publisher = createPublisher({ projectId: 'demo-unit', source: 'genai-agent', exitHook: false, transport });
    ai = governGenAI(new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.baseUrl } }), { publisher, onError: (e, c) => errors.push(`${c}: ${(e as Error).message}`) });
    server.requests.length = 0;
    errors.length = 0;
  });
  afterEach(() => publisher.close());

  const published = async () => {
    await publisher.flush();
    const events = transport.requests.flatMap((r) => r.events) as (CostEvent | MetricEvent)[];
    return { costs: events.filter((e): e is CostEvent => e.type === 'cost').map((e) => e.payload), metrics: events.filter((e): e is MetricEvent => e.type === 'metric').map((e) => e.payload) };
  };
  const metricOf = (metrics: MetricEvent['payload'][], metric: string, operation: string) => metrics.find((m) => m.metric === metric && m.labels.operation === operation);

  describe('models.generateContent', () => {
    it('returns the client’s own response and records its usage and latency once', async () => {
      const reply = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Say hello' });
      expect(reply.text).toBe('hello');
      expect(reply).toBeInstanceOf(loadGenAi().GenerateContentResponse);
      expect(server.requests[0]!.path).toMatch(/^\/v1beta\/models\/gemini-2.5-flash:generateContent/);
      const { costs, metrics } = await published();
      expect(costs).toEqual([{ category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 12, outputTokens: 3 } }]);
      expect(metricOf(metrics, 'API_CALLS', 'gemini.generateContent')).toMatchObject({ count: 1, labels: { model: 'gemini-2.5-flash' } });
      expect(metricOf(metrics, 'ERROR_RATE', 'gemini.generateContent')).toMatchObject({ sum: 0 });
      expect(metricOf(metrics, 'LATENCY', 'gemini.generateContent')?.count).toBe(1);
    });

    it('records thinking, cached, tool-use and audio tokens, each in its own field', async () => {
      server.answerNext({ kind: 'json', body: textAnswer('done', usageMetadata({ prompt: 5_000, candidates: 200, thoughts: 1_800, cached: 4_096, toolUse: 300, audio: 600 })) });
      await ai.models.generateContent({ model: 'models/gemini-2.5-flash', contents: 'Think, then answer' });
      const { costs } = await published();
      expect(costs[0]!.usage).toEqual({ model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 5_000, outputTokens: 200, thoughtsTokens: 1_800, cachedInputTokens: 4_096, toolUseInputTokens: 300, audioInputTokens: 600 });
    });

    it('charges nothing for a 429 or a 500, rethrows the client’s error and counts it as an error', async () => {
      server.answerNext(apiError(429, 'Resource has been exhausted'), apiError(500, 'Internal error'));
      await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toMatchObject({ status: 429 });
      await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toBeInstanceOf(ApiError);
      const { costs, metrics } = await published();
      expect(costs).toEqual([]);
      expect(metricOf(metrics, 'ERROR_RATE', 'gemini.generateContent')).toMatchObject({ count: 2, sum: 200 });
    });
  });

  describe('models.generateContentStream', () => {
    const chunks = [
      textAnswer('Once', usageMetadata({ prompt: 40, candidates: 1 })),
      textAnswer(' upon', usageMetadata({ prompt: 40, candidates: 2, thoughts: 90 })),
      textAnswer(' a time', usageMetadata({ prompt: 40, candidates: 5, thoughts: 90 })),
    ];

    it('yields every chunk and is charged once, from the final usage', async () => {
      server.answerNext({ kind: 'sse', chunks });
      const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'A story' });
      let text = '';
      for await (const chunk of stream) text += chunk.text;
      expect(text).toBe('Once upon a time');
      expect(server.requests[0]!.path).toMatch(/:streamGenerateContent\?alt=sse/);
      const { costs, metrics } = await published();
      expect(costs).toEqual([{ category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 40, outputTokens: 5, thoughtsTokens: 90 } }]);
      expect(metricOf(metrics, 'ERROR_RATE', 'gemini.generateContentStream')).toMatchObject({ count: 1, sum: 0 });
    });

    it('aborted mid-stream, is charged the usage its last chunk reported and counted as an error', async () => {
      server.answerNext({ kind: 'sse', chunks, stallAfter: 2 });
      const abort = new AbortController();
      const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'A story', config: { abortSignal: abort.signal } });
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const chunk of stream) {
            seen.push(chunk.text ?? '');
            if (seen.length === 2) abort.abort();
          }
        })(),
      ).rejects.toThrow();
      expect(seen).toEqual(['Once', ' upon']);
      const { costs, metrics } = await published();
      expect(costs).toEqual([{ category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 40, outputTokens: 2, thoughtsTokens: 90 } }]);
      expect(metricOf(metrics, 'ERROR_RATE', 'gemini.generateContentStream')).toMatchObject({ count: 1, sum: 100 });
    });

    it('left by the caller after one chunk, is charged what that chunk reported', async () => {
      server.answerNext({ kind: 'sse', chunks });
      for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'A story' })) {
        expect(chunk.text).toBe('Once');
        break;
      }
      const { costs } = await published();
      expect(costs.map((c) => c.usage)).toEqual([{ model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 40, outputTokens: 1 }]);
    });
  });

  describe('chats and embeddings', () => {
    it('governs chats (built on the governed models), streaming ones too', async () => {
      const chat = ai.chats.create({ model: 'gemini-2.5-flash' });
      expect((await chat.sendMessage({ message: 'hi' })).text).toBe('hello');
      server.answerNext({ kind: 'sse', chunks: [textAnswer('again', usageMetadata({ prompt: 20, candidates: 1 }))] });
      for await (const chunk of await chat.sendMessageStream({ message: 'and again' })) expect(chunk.text).toBe('again');
      expect(chat.getHistory()).toHaveLength(4);
      const { costs } = await published();
      expect(costs.map((c) => c.usage)).toEqual([
        { model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 12, outputTokens: 3 },
        { model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 20, outputTokens: 1 },
      ]);
    });

    it('charges embeddings their input, estimated at 4 characters per token (the Gemini API reports no usage)', async () => {
      server.answerNext({ kind: 'json', body: { embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] } });
      const response = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['twelve chars', 'abcd'] });
      expect(response.embeddings).toHaveLength(2);
      const { costs } = await published();
      expect(costs.map((c) => c.usage)).toEqual([{ model: 'gemini-embedding-001', inputTokens: 4 }]);
    });
  });

  describe('Vertex AI mode', () => {
    it('takes the same path', async () => {
      const vertex = governGenAI(new GoogleGenAI({ vertexai: true, apiKey: 'vertex-express-key', httpOptions: { baseUrl: server.baseUrl } }), { publisher });
      expect((await vertex.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })).text).toBe('hello');
      expect(server.requests[0]!.path).toMatch(/publishers\/google\/models\/gemini-2.5-flash:generateContent/);
      const { costs } = await published();
      expect(costs.map((c) => c.usage)).toEqual([{ model: 'gemini-2.5-flash', promptHash: HASHED, inputTokens: 12, outputTokens: 3 }]);
    });
  });

  describe('before the call', () => {
    it('hashes the same request the same way and another one differently', async () => {
      await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'loop' });
      await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'loop' });
      await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'something else' });
      const hashes = (await published()).costs.map((c) => (c.usage as { promptHash?: string }).promptHash);
      expect(hashes[0]).toBe(hashes[1]);
      expect(hashes[2]).not.toBe(hashes[0]);
    });

    it('refuses while a burn-rate breaker has paused the agent, without calling Gemini', async () => {
      const paused = governGenAI(new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } }), { publisher, throttle: { throttleLevel: () => 'paused' } });
      await expect(paused.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toThrow(/AI_API_CALLS is paused/);
      expect(server.requests).toHaveLength(0);
    });

    it('refuses while the category is blocked, without calling Gemini', async () => {
      const blocked = governGenAI(new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } }), { publisher, throttle: { throttleLevel: (c) => (c === 'AI_API_CALLS' ? 'blocked' : 'none') } });
      await expect(blocked.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toBeInstanceOf(BudgetBlockedError);
      await expect(blocked.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toThrow(/AI_API_CALLS is blocked/);
      expect(server.requests).toHaveLength(0);
      expect((await published()).costs).toEqual([]);
    });

    it('answers a repeated request from the response cache: one Gemini call, one charge, the avoided cost credited', async () => {
      const cache = new ResponseCache({ redisUrl: '' });
      const cached = governGenAI(new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } }), { publisher, cache });
      const first = await cached.models.generateContent({ model: 'gemini-2.5-flash', contents: 'same question' });
      const second = await cached.models.generateContent({ model: 'gemini-2.5-flash', contents: 'same question' });
      expect([first.text, second.text]).toEqual(['hello', 'hello']);
      expect(second).toBeInstanceOf(loadGenAi().GenerateContentResponse);
      expect(server.requests).toHaveLength(1);
      expect((await published()).costs).toHaveLength(1);
      // 12 input + 3 output tokens of gemini-2.5-flash: 3.6 + 7.5 = 11.1 µUSD → 11.
      expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, savedMicros: 11 });
      await cache.close();
    });

    it('refuses bad options by name', () => {
      const client = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } });
      expect(() => governGenAI(client, {} as never)).toThrow(OptionsError);
      expect(() => governGenAI(client, {} as never)).toThrow(/publisher/);
      expect(() => governGenAI(client, { publisher, category: 'SNACKS' as never })).toThrow(/category/);
      expect(() => governGenAI(client, { publisher, estimate: { maxOutputTokens: -1 } })).toThrow(/estimate.maxOutputTokens/);
    });
  });

  it('rejects bad parameters like the client does (a rejection, not a throw)', async () => {
    const pending = ai.models.generateContent(undefined as never);
    await expect(pending).rejects.toThrow(TypeError);
    expect((await published()).costs).toEqual([]);
  });

  it('leaves the rest of the client as it was', () => {
    const plain = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } });
    const governed = governGenAI(plain, { publisher });
    expect(governed).toBeInstanceOf(GoogleGenAI);
    expect(governed.models.countTokens).toBe(plain.models.countTokens);
    expect(governed.caches).toBe(plain.caches);
    expect(errors).toEqual([]);
  });
});
