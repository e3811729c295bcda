import type { GoogleGenAI as GoogleGenAIType } from '@google/genai' with { 'resolution-mode': 'import' };
import { ResponseCache } from '../../../shared/cache/response-cache';
import type { CallPlan } from '../../../shared/budget/call-plan';
import type { CostEvent } from '../../../shared/contracts/cost-event';
import { BudgetBlockedError, governGenAI, PlanRefusedError } from '../../../shared/genai';
import { loadGenAi } from '../../../shared/genai/genai-types';
import { createPublisher, type GovernorPublisher } from '../../../shared/publisher/publisher';
import { GeminiServer, serveGeminiToSuite, textAnswer, usageMetadata } from '../../support/gemini-server';
import { MemoryTransport } from '../../support/memory-transport';

const { GoogleGenAI } = loadGenAi();

/** A reader's answers as the wrapper sees them: the plan in force, switched by the test (a ThrottleReader answers the same from its flags). */
class PlanInForce {
  current: Omit<CallPlan, 'model'> & { downgrades?: Record<string, string> } = { cacheOnly: false, preferCache: false, blocked: false, reason: '' };
  throttleLevel() {
    return 'none' as const;
  }
  plan(call: { model: string }): CallPlan {
    const { downgrades, ...rest } = this.current;
    return { ...rest, model: downgrades?.[call.model] ?? call.model };
  }
}

/** The real @google/genai client, governed, against an in-process Gemini REST server, obeying the degrade ladder's plan. */
describe('governGenAI under a degrade ladder', () => {
  const server = serveGeminiToSuite(new GeminiServer(() => ({ kind: 'json', body: textAnswer('answer', usageMetadata({ prompt: 1_000, candidates: 100 })) })));
  let transport: MemoryTransport;
  let publisher: GovernorPublisher;
  let cache: ResponseCache;
  let ai: GoogleGenAIType;
  let planner: PlanInForce;

  beforeEach(() => {
    transport = new MemoryTransport();
    publisher = createPublisher({ projectId: 'demo-unit', source: 'ladder-agent', exitHook: false, transport });
    cache = new ResponseCache({ redisUrl: '' });
    planner = new PlanInForce();
    ai = governGenAI(new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.baseUrl } }), { publisher, throttle: planner, cache });
    server.requests.length = 0;
  });
  afterEach(async () => {
    await publisher.close();
    await cache.close();
  });

  const costs = async () => {
    await publisher.flush();
    return (transport.requests.flatMap((r) => r.events) as CostEvent[]).filter((e) => e.type === 'cost').map((e) => e.payload);
  };
  const reason = 'budget agent-daily (agent:ladder-agent) at 82 %: ladder step downgrade from 80 %';

  it('calls the mapped model on a downgrade step and records the usage as that model', async () => {
    planner.current = { cacheOnly: false, preferCache: true, blocked: false, reason, downgrades: { 'gemini-2.5-pro': 'gemini-2.5-flash' } };
    const reply = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Summarise the report' });
    expect(reply.text).toBe('answer');
    expect(server.requests[0]!.path).toMatch(/^\/v1beta\/models\/gemini-2.5-flash:generateContent/);
    expect(await costs()).toEqual([{ category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', inputTokens: 1_000, outputTokens: 100, promptHash: expect.stringMatching(/^[0-9a-f]{32}$/) } }]);
  });

  it('downgrades a stream too', async () => {
    planner.current = { cacheOnly: false, preferCache: false, blocked: false, reason, downgrades: { 'gemini-2.5-pro': 'gemini-2.5-flash' } };
    server.answerNext({ kind: 'sse', chunks: [textAnswer('one', usageMetadata({ prompt: 10, candidates: 1 }))] });
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Stream it' });
    for await (const _chunk of stream) void _chunk;
    expect(server.requests[0]!.path).toMatch(/models\/gemini-2.5-flash:streamGenerateContent/);
  });

  it('answers from the cache under prefer-cache, even an answer of the model asked for before the downgrade', async () => {
    await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'What changed?' });
    planner.current = { cacheOnly: false, preferCache: true, blocked: false, reason, downgrades: { 'gemini-2.5-pro': 'gemini-2.5-flash' } };
    const reply = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'What changed?' });
    expect(reply.text).toBe('answer');
    expect(server.requests).toHaveLength(1);
    expect(await costs()).toHaveLength(1);
  });

  it('answers from the cache under cache-only, and refuses a request it has no answer for with PlanRefusedError naming the budget', async () => {
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Cached question' });
    planner.current = { cacheOnly: true, preferCache: true, blocked: false, reason: 'budget team-monthly (team:search) at 96 %: ladder step cache-only from 95 %' };
    expect((await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Cached question' })).text).toBe('answer');
    const refused = ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'A new question' });
    await expect(refused).rejects.toBeInstanceOf(PlanRefusedError);
    await expect(refused).rejects.toMatchObject({ kind: 'cache-only', message: expect.stringContaining('team-monthly (team:search)') });
    await expect(ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'A stream' })).rejects.toMatchObject({ kind: 'cache-only' });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a block step with BudgetBlockedError naming the budget, before any request', async () => {
    planner.current = { cacheOnly: false, preferCache: false, blocked: true, reason: 'budget agent-daily (agent:ladder-agent) at 100 %: ladder step block from 100 %' };
    const refused = ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Anything' });
    await expect(refused).rejects.toBeInstanceOf(BudgetBlockedError);
    await expect(refused).rejects.toThrow('AI_API_CALLS call blocked by budget agent-daily (agent:ladder-agent) at 100 %: ladder step block from 100 %: the call was not made');
    await expect(ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'Anything' })).rejects.toBeInstanceOf(BudgetBlockedError);
    expect(server.requests).toHaveLength(0);
    expect(await costs()).toEqual([]);
  });

  it('changes nothing while no step is in force', async () => {
    await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Plain' });
    expect(server.requests[0]!.path).toMatch(/models\/gemini-2.5-pro:generateContent/);
  });
});
