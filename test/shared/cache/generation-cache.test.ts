import { GenerationCache, type GenerationCacheOptions } from '../../../shared/cache/generation-cache';
import { cosineSimilarity } from '../../../shared/cache/semantic/embedder';
import type { GenerateRequest } from '../../../shared/cache/semantic/generate-request';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';
import { salientSignature } from '../../../shared/cache/semantic/salient-signature';
import { OptionsError } from '../../../shared/contracts/validation-error';

function setup(options: GenerationCacheOptions = {}) {
  const errors: string[] = [];
  const cache = new GenerationCache({ redisUrl: '', now: () => Date.parse('2026-12-01T10:00:00Z'), onError: (e, c) => errors.push(`${c}: ${(e as Error).message}`), ...options });
  let calls = 0;
  const generate = (label: string) => async () => {
    calls += 1;
    return { text: `${label} #${calls}`, usageMetadata: { promptTokenCount: 1_000, candidatesTokenCount: 2_000 } };
  };
  return { cache, errors, generate, calls: () => calls };
}

const base: GenerateRequest = { model: 'gemini-2.5-flash', prompt: 'How do I reset my password on the admin console?', system: 'You are a support agent.', temperature: 0.2, tenant: 'acme' };

describe('GenerationCache', () => {
  describe('wrapGenerate', () => {
    it('reuses the answer of an identical prompt (whitespace aside) and prices what it saved', async () => {
      const { cache, generate, calls } = setup();
      const first = await cache.wrapGenerate(base, generate('a'));
      const again = await cache.wrapGenerate({ ...base, prompt: `  ${base.prompt.replace(/ /g, '  ')}\n` }, generate('b'));
      expect(again).toEqual(first);
      expect(calls()).toBe(1);
      // gemini-2.5-flash: 1,000 × $0.30/M + 2,000 × $2.50/M = $0.0053.
      expect(cache.stats()).toMatchObject({ hits: 1, savedMicros: 5_300, l1: { hits: 1 } });
    });

    it('reuses the answer of a paraphrase with the same content words (semantic hit)', async () => {
      const { cache, generate, calls } = setup();
      const first = await cache.wrapGenerate(base, generate('a'));
      const paraphrase = await cache.wrapGenerate({ ...base, prompt: 'how can I reset my password in the admin console' }, generate('b'));
      expect(paraphrase).toEqual(first);
      expect(calls()).toBe(1);
      expect(cache.stats()).toMatchObject({ hits: 1, semantic: { hits: 1, misses: 1, enabled: true } });
    });

    it.each<[string, Partial<GenerateRequest>]>([
      ['models', { model: 'gemini-2.5-pro' }],
      ['system prompts', { system: 'You are a pirate.' }],
      ['temperatures', { temperature: 0.9 }],
      ['tenants', { tenant: 'globex' }],
      ['other parameters', { params: { responseMimeType: 'application/json' } }],
    ])('never reuses an answer across %s, even for the same prompt', async (_what, change) => {
      const { cache, generate, calls } = setup();
      await cache.wrapGenerate(base, generate('a'));
      await cache.wrapGenerate({ ...base, ...change }, generate('b'));
      expect(calls()).toBe(2);
    });

    it.each([
      ['swapped order', 'Convert 100 USD to EUR', 'Convert 100 EUR to USD'],
      ['periods', 'Summarize our cloud spending for this year', 'Summarize our cloud spending for next year'],
      ['lower-case names', 'what is the weather like in london', 'what is the weather like in paris'],
      ['numbers', 'Write 5 tips for learning Rust', 'Write 10 tips for learning Rust'],
      ['number words', 'Write five tips for learning Rust', 'Write three tips for learning Rust'],
      ['negations', 'Write a poem that rhymes about the sea', 'Write a poem that does not rhyme about the sea'],
      ['names', 'Draft a welcome email to Alice about the onboarding plan', 'Draft a welcome email to Bob about the onboarding plan'],
    ])('never reuses an answer for a prompt differing in %s', async (_what, a, b) => {
      const { cache, generate, calls } = setup({ semantic: { threshold: 0.5 } });
      await cache.wrapGenerate({ ...base, prompt: a }, generate('a'));
      await cache.wrapGenerate({ ...base, prompt: b }, generate('b'));
      expect(calls()).toBe(2);
    });

    it('reuses across case alone', async () => {
      const { cache, generate, calls } = setup();
      await cache.wrapGenerate({ ...base, prompt: 'Find train connections from London to Paris' }, generate('a'));
      expect(await cache.wrapGenerate({ ...base, prompt: 'FIND TRAIN CONNECTIONS FROM LONDON TO PARIS' }, generate('b'))).toMatchObject({ text: 'a #1' });
      expect(await cache.wrapGenerate({ ...base, prompt: 'find train connections from london to paris' }, generate('c'))).toMatchObject({ text: 'a #1' });
      expect(calls()).toBe(1);
    });

    it('does not reuse an unrelated prompt on the same topic', async () => {
      const { cache, generate, calls } = setup();
      await cache.wrapGenerate({ ...base, prompt: 'How do I reset my password?' }, generate('a'));
      await cache.wrapGenerate({ ...base, prompt: 'How do I change the password policy for all users?' }, generate('b'));
      expect(calls()).toBe(2);
    });

    it('matches exactly only when semantic reuse is off', async () => {
      const { cache, generate, calls } = setup({ semantic: false });
      await cache.wrapGenerate(base, generate('a'));
      await cache.wrapGenerate({ ...base, prompt: 'how can I reset my password in the admin console' }, generate('b'));
      expect(calls()).toBe(2);
      expect(cache.semanticBackend).toBeUndefined();
    });

    it('skips a semantic match whose answer was invalidated', async () => {
      const { cache, generate, calls } = setup();
      await cache.wrapGenerate({ ...base, tags: ['kb:passwords'] }, generate('a'));
      await cache.invalidate({ tag: 'kb:passwords' });
      await cache.wrapGenerate({ ...base, prompt: 'how can I reset my password in the admin console' }, generate('b'));
      expect(calls()).toBe(2);
    });

    it('counts hits on an unpriced model as unpriced, said once', async () => {
      const { cache, generate, errors } = setup();
      for (let i = 0; i < 3; i++) await cache.wrapGenerate({ ...base, model: 'my-local-llm' }, generate('a'));
      expect(cache.stats()).toMatchObject({ hits: 2, savedMicros: 0, unpricedHits: 2 });
      expect(errors.filter((e) => e.includes('my-local-llm'))).toHaveLength(1);
    });

    it('refuses a malformed request naming the field', async () => {
      const { cache, generate } = setup();
      await expect(cache.wrapGenerate({ ...base, model: '' }, generate('a'))).rejects.toThrow(OptionsError);
      await expect(cache.wrapGenerate({ ...base, prompt: undefined } as unknown as GenerateRequest, generate('a'))).rejects.toThrow(/request\.prompt/);
    });

    it('still answers when the embedder fails, reporting it', async () => {
      const broken = { id: 'broken', dimensions: 8, defaultThreshold: 0.9, embed: () => Promise.reject(new Error('quota exceeded')) };
      const { cache, generate, errors, calls } = setup({ semantic: { embedder: broken } });
      expect(await cache.wrapGenerate(base, generate('a'))).toMatchObject({ text: 'a #1' });
      expect(calls()).toBe(1);
      expect(errors.some((e) => e.includes('quota exceeded'))).toBe(true);
    });
  });

  describe('reject', () => {
    const mirror = 'how can I reset my password in the admin console';

    it('stops a wrong reuse for good and lets the variant get its own answer', async () => {
      const { cache, generate, calls } = setup();
      await cache.wrapGenerate(base, generate('a'));
      expect(await cache.wrapGenerate({ ...base, prompt: mirror }, generate('b'))).toMatchObject({ text: 'a #1' });
      const result = await cache.reject({ ...base, prompt: mirror });
      expect(result).toMatchObject({ source: expect.stringContaining('ai-response:gen-'), recorded: true, shared: true });
      expect(await cache.wrapGenerate({ ...base, prompt: mirror }, generate('b'))).toMatchObject({ text: 'b #2' });
      expect(await cache.wrapGenerate({ ...base, prompt: mirror }, generate('c'))).toMatchObject({ text: 'b #2' });
      expect(await cache.wrapGenerate(base, generate('d'))).toMatchObject({ text: 'a #1' });
      expect(calls()).toBe(2);
    });

    it('keeps the pair apart both ways once the original answer is gone', async () => {
      const { cache, generate, calls } = setup();
      await cache.wrapGenerate(base, generate('a'));
      await cache.wrapGenerate({ ...base, prompt: mirror }, generate('b'));
      const { source } = await cache.reject({ ...base, prompt: mirror });
      expect(await cache.wrapGenerate({ ...base, prompt: mirror }, generate('b'))).toMatchObject({ text: 'b #2' });
      await cache.invalidate({ namespace: 'ai-response', key: source!.slice('ai-response:'.length) });
      // The original, asked again, is not served the variant's answer either.
      expect(await cache.wrapGenerate(base, generate('c'))).toMatchObject({ text: 'c #3' });
      expect(calls()).toBe(3);
    });

    it('finds nothing to reject for a prompt that got its own answer, and refuses a source that is the prompt itself', async () => {
      const { cache, generate } = setup();
      await cache.wrapGenerate(base, generate('a'));
      expect(await cache.reject(base)).toMatchObject({ source: null, recorded: false });
      await expect(cache.reject(base, { sourcePrompt: ` ${base.prompt} ` })).rejects.toThrow(/sourcePrompt/);
    });
  });

  describe('warmGenerate', () => {
    it('stores answers ahead of demand, once', async () => {
      const { cache, generate, calls } = setup();
      const items = [{ request: base, generate: generate('w') }, { request: { ...base, prompt: 'Summarise our refund policy' }, generate: generate('w') }];
      expect(await cache.warmGenerate(items)).toEqual({ warmed: 2, alreadyCached: 0, failed: [] });
      expect(await cache.warmGenerate(items)).toEqual({ warmed: 0, alreadyCached: 2, failed: [] });
      await cache.wrapGenerate(base, generate('x'));
      expect(calls()).toBe(2);
    });
  });
});

describe('HashingEmbedder', () => {
  const e = new HashingEmbedder();
  it('is deterministic and unit length', async () => {
    const [a, b] = await e.embed(['reset my password', 'reset my password']);
    expect(a).toEqual(b);
    expect(a).toHaveLength(768);
    expect(cosineSimilarity(a!, b!)).toBeCloseTo(1, 10);
  });

  it('scores rewordings above unrelated prompts', () => {
    const sim = (x: string, y: string) => cosineSimilarity(e.embedOne(x), e.embedOne(y));
    expect(sim('How do I reset my password?', 'how can i reset my password')).toBeGreaterThan(0.9);
    expect(sim('How do I reset my password?', 'Best hiking trails near Denver')).toBeLessThan(0.2);
  });
});

describe('salientSignature', () => {
  it('collects numbers, names and rare terms whatever their case, negations with what they negate, periods and quotes', () => {
    expect(salientSignature('Write 3 haikus for Alice, not Bob. Do it "now" as I said.')).toEqual(['n:3', 't:haikus', 't:alice', 'p:now', 'not:bob', 'q:now']);
  });

  it('is the same whatever the case: case alone neither hides nor invents a name', () => {
    const forms = ['What is the weather like in London?', 'what is the weather like in london', 'WHAT IS THE WEATHER LIKE IN LONDON', 'What Is The Weather Like In London'];
    expect(new Set(forms.map((f) => salientSignature(f).join('|')))).toEqual(new Set(['t:london']));
    expect(salientSignature('what is the weather like in paris')).not.toEqual(salientSignature('what is the weather like in london'));
  });

  it.each([
    ['convert USD to EUR', 'convert EUR to USD'],
    ['Write a letter from the tenant to the landlord', 'Write a letter from the landlord to the tenant'],
    ['Is a cheetah faster than a horse?', 'Is a horse faster than a cheetah?'],
    ['Write a letter from me to you', 'Write a letter from you to me'],
    ['Explain compound interest at 3% over 10 years', 'Explain compound interest at 10% over 3 years'],
  ])('keeps the order of what a relation joins: "%s" ≠ "%s"', (a, b) => {
    expect(salientSignature(a)).not.toEqual(salientSignature(b));
  });

  it.each([
    ['sales for this year', 'sales for next year'],
    ['trends of the last decade', 'trends of the last century'],
    ['revenue for last quarter', 'revenue for this quarter'],
    ['the weekly report', 'the monthly report'],
    ['targets for this fiscal year', 'targets for next fiscal year'],
  ])('tells periods apart: "%s" ≠ "%s"', (a, b) => {
    expect(salientSignature(a)).not.toEqual(salientSignature(b));
  });

  it('tells past and future from present, leaving present and modal forms to filler', () => {
    expect(salientSignature('Who was the CEO of Twitter?')).not.toEqual(salientSignature('Who is the CEO of Twitter?'));
    expect(salientSignature('How much will the project cost?')).not.toEqual(salientSignature('How much does the project cost?'));
    expect(salientSignature('How do I reset my password?')).toEqual(salientSignature('Could you reset my password?'));
  });

  it('folds number words, relation and period synonyms, and ignores filler', () => {
    expect(salientSignature('Write five tips')).toEqual(salientSignature('write 5 tips'));
    expect(salientSignature('Translate the guide into Spanish')).toEqual(salientSignature('Could you translate the guide to spanish for me?'));
    expect(salientSignature('figures for the previous year')).toEqual(salientSignature('figures for last year'));
    expect(salientSignature('Plan a 3 day trip to Kyoto in spring')).toEqual(salientSignature('plan a trip to kyoto in spring for three days'));
    expect(salientSignature('a constructor')).toEqual(['t:constructor']);
  });
});
