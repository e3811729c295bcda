import { GenerationCache } from '../../../shared/cache/generation-cache';
import { PlanRefusedError, type CallPlan } from '../../../shared/budget/call-plan';
import { cosineSimilarity } from '../../../shared/cache/semantic/embedder';
import type { GenerateRequest } from '../../../shared/cache/semantic/generate-request';
import { normalizePrompt } from '../../../shared/cache/semantic/generate-request';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';

const base: GenerateRequest = { model: 'gemini-2.5-pro', prompt: 'How do I reset my password on the admin console?', system: 'You are a support agent.', temperature: 0.2, tenant: 'acme' };
const paraphrase = 'How do I reset my login password on the admin console?';
// The hashing embedder compared by meaning-like similarity only (not lexical): prompts with other words are compared too.
const hashing = new HashingEmbedder();
const embedder = { id: 'hashing-by-similarity', dimensions: hashing.dimensions, defaultThreshold: hashing.defaultThreshold, lexical: false, embed: (texts: readonly string[]) => hashing.embed(texts) };
const plan = (p: Partial<CallPlan>): CallPlan => ({ model: base.model, cacheOnly: false, preferCache: false, blocked: false, reason: 'budget agent-daily (agent:a) at 85 %: ladder step prefer-cache from 50 %', ...p });

describe('GenerationCache.wrapGenerate under a degrade ladder', () => {
  let similarity: number;
  beforeAll(async () => {
    const [a, b] = await embedder.embed([normalizePrompt(base.prompt), normalizePrompt(paraphrase)]);
    similarity = cosineSimilarity(a!, b!);
  });

  function setup() {
    // The paraphrase is just below the normal threshold and above the prefer-cache one.
    const cache = new GenerationCache({ redisUrl: '', semantic: { embedder, threshold: Math.min(1, similarity + 0.02), preferCacheThreshold: similarity - 0.02 } });
    const models: string[] = [];
    const generate = async (call: { model: string }) => {
      models.push(call.model);
      return { text: `answer by ${call.model}`, usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 100 } };
    };
    return { cache, models, generate };
  }

  it('takes a looser semantic match under prefer-cache that it would not take otherwise', async () => {
    expect(similarity).toBeGreaterThan(0.3);
    expect(similarity).toBeLessThan(0.98);
    const plain = setup();
    await plain.cache.wrapGenerate(base, plain.generate);
    await plain.cache.wrapGenerate({ ...base, prompt: paraphrase }, plain.generate);
    expect(plain.models).toHaveLength(2);
    await plain.cache.close();

    const { cache, models, generate } = setup();
    await cache.wrapGenerate(base, generate);
    const preferred = await cache.wrapGenerate({ ...base, prompt: paraphrase }, generate, { plan: plan({ preferCache: true }) });
    expect(models).toEqual(['gemini-2.5-pro']);
    expect(preferred).toMatchObject({ text: 'answer by gemini-2.5-pro' });
    expect(cache.stats()).toMatchObject({ hits: 1 });
    await cache.close();
  });

  it('computes with the downgraded model, and stores the answer under it', async () => {
    const { cache, models, generate } = setup();
    const downgraded = plan({ model: 'gemini-2.5-flash', reason: 'budget agent-daily (agent:a) at 82 %: ladder step downgrade from 80 %' });
    expect(await cache.wrapGenerate(base, generate, { plan: downgraded })).toMatchObject({ text: 'answer by gemini-2.5-flash' });
    await cache.wrapGenerate({ ...base, model: 'gemini-2.5-flash' }, generate);
    expect(models).toEqual(['gemini-2.5-flash']);
    await cache.close();
  });

  it('answers cache-only requests from the cache and refuses the others with PlanRefusedError naming the budget', async () => {
    const { cache, models, generate } = setup();
    await cache.wrapGenerate(base, generate);
    const cacheOnly = plan({ cacheOnly: true, preferCache: true, reason: 'budget team-monthly (team:search) at 96 %: ladder step cache-only from 95 %' });
    expect(await cache.wrapGenerate(base, generate, { plan: cacheOnly })).toMatchObject({ text: 'answer by gemini-2.5-pro' });
    const refused = cache.wrapGenerate({ ...base, prompt: 'Something nobody asked before about invoices' }, generate, { plan: cacheOnly });
    await expect(refused).rejects.toBeInstanceOf(PlanRefusedError);
    await expect(refused).rejects.toThrow('cache-only under budget team-monthly (team:search) at 96 %: ladder step cache-only from 95 %, and no cached answer: the call was not made');
    await expect(cache.wrapGenerate({ ...base, prompt: 'Another new one' }, generate, { plan: plan({ blocked: true, reason: 'budget fleet-day (fleet) at 100 %: blocked' }) })).rejects.toMatchObject({ kind: 'blocked' });
    expect(models).toHaveLength(1);
    await cache.close();
  });

  it('refuses a prefer-cache threshold above the threshold', () => {
    expect(() => new GenerationCache({ redisUrl: '', semantic: { threshold: 0.8, preferCacheThreshold: 0.9 } })).toThrow('semantic.preferCacheThreshold must be in (0, threshold], got 0.9');
  });
});
