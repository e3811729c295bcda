import { OptionsError } from '../../../shared/contracts/validation-error';
import { CacheKeyError } from '../../../shared/cache/cache-entry';
import { resolveCacheSettings } from '../../../shared/cache/cache-options';
import { L1Store } from '../../../shared/cache/l1-store';
import { ResponseCache, type ResponseCacheOptions } from '../../../shared/cache/response-cache';
import { createPublisher } from '../../../shared/publisher/publisher';
import { MemoryTransport } from '../../support/memory-transport';

/** L1-only behaviour: no Redis (redisUrl ''), an injected clock. */
function setup(options: ResponseCacheOptions = {}) {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const errors: string[] = [];
  const cache = new ResponseCache({ redisUrl: '', now: () => now, onError: (e, c) => errors.push(`${c}: ${(e as Error).message}`), ...options });
  return { cache, errors, advance: (ms: number) => (now += ms) };
}

describe('ResponseCache (L1)', () => {
  describe('getOrSet', () => {
    it('computes once and serves later calls from L1', async () => {
      const { cache } = setup();
      let calls = 0;
      const compute = async () => ({ text: `answer ${++calls}` });
      expect(await cache.getOrSet('ai-response', 'k', compute)).toEqual({ text: 'answer 1' });
      expect(await cache.getOrSet('ai-response', 'k', compute)).toEqual({ text: 'answer 1' });
      expect(calls).toBe(1);
      expect(cache.stats()).toMatchObject({ lookups: 2, hits: 1, misses: 1, hitRate: 0.5, computations: 1, l1: { hits: 1, misses: 1, entries: 1 } });
    });

    it('shares one computation between concurrent callers of a key (single flight)', async () => {
      const { cache } = setup();
      let calls = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const compute = async () => {
        calls += 1;
        await gate;
        return 'v';
      };
      const all = Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('ai-response', 'hot', compute)));
      release();
      expect(await all).toEqual(Array(20).fill('v'));
      expect(calls).toBe(1);
      expect(cache.stats()).toMatchObject({ lookups: 20, hits: 19, coalesced: 19 });
    });

    it('passes a failed computation to every waiting caller and caches nothing', async () => {
      const { cache } = setup();
      const failing = () => Promise.reject(new Error('model down'));
      const results = await Promise.allSettled([cache.getOrSet('ai-response', 'x', failing), cache.getOrSet('ai-response', 'x', failing)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(await cache.getOrSet('ai-response', 'x', () => 'ok')).toBe('ok');
    });

    it('does not store a value cacheIf refuses', async () => {
      const { cache } = setup();
      await cache.getOrSet('ai-response', 'e', () => '', { cacheIf: (v) => v !== '' });
      expect(await cache.get('ai-response', 'e')).toBeUndefined();
    });

    it('credits the stored cost on each hit', async () => {
      const { cache } = setup();
      await cache.getOrSet('ai-response', 'c', () => 'v', { costMicros: 1250 });
      await cache.getOrSet('ai-response', 'c', () => 'v');
      await cache.getOrSet('ai-response', 'c', () => 'v');
      expect(cache.stats()).toMatchObject({ savedMicros: 2500, unpricedHits: 0 });
    });
  });

  describe('TTL', () => {
    it('expires an entry after the namespace L1 TTL (1 h by default)', async () => {
      const { cache, advance } = setup();
      await cache.set('ai-response', 'k', 'v');
      advance(3_599_000);
      expect(await cache.get('ai-response', 'k')).toBe('v');
      advance(2_000);
      expect(await cache.get('ai-response', 'k')).toBeUndefined();
    });

    it('applies per-namespace overrides', async () => {
      const { cache, advance } = setup({ namespaces: { research: { l1TtlSeconds: 10 } } });
      await cache.set('research', 'k', 'v');
      advance(11_000);
      expect(await cache.get('research', 'k')).toBeUndefined();
      expect(cache.settings.namespaces.research).toEqual({ l1TtlSeconds: 10, l2TtlSeconds: 604_800, httpMaxAgeSeconds: 0 });
    });
  });

  describe('invalidate', () => {
    it('drops by key, by tag and by namespace', async () => {
      const { cache } = setup();
      await cache.set('ai-response', 'a', 1, { tags: ['post:1'] });
      await cache.set('ai-response', 'b', 2, { tags: ['post:1', 'post:2'] });
      await cache.set('ai-response', 'c', 3, { tags: ['post:2'] });
      await cache.set('research', 'd', 4);
      expect(await cache.invalidate({ namespace: 'ai-response', key: 'c' })).toBe(1);
      expect(await cache.get('ai-response', 'c')).toBeUndefined();
      expect(await cache.invalidate({ tag: 'post:1' })).toBe(2);
      expect(await cache.get('ai-response', 'a')).toBeUndefined();
      expect(await cache.get('ai-response', 'b')).toBeUndefined();
      expect(await cache.invalidate({ namespace: 'research' })).toBe(1);
      expect(await cache.get('research', 'd')).toBeUndefined();
      expect(cache.stats().l1.entries).toBe(0);
    });
  });

  describe('warm', () => {
    it('computes what is missing and reports failures without throwing', async () => {
      const { cache } = setup();
      await cache.set('research', 'known', 'k');
      const result = await cache.warm('research', [
        { key: 'known', compute: () => 'x' },
        { key: 'new', compute: () => 'n' },
        { key: 'broken', compute: () => Promise.reject(new Error('source offline')) },
      ]);
      expect(result).toEqual({ warmed: 1, alreadyCached: 1, failed: [{ key: 'broken', error: 'source offline' }] });
      expect(await cache.get('research', 'new')).toBe('n');
    });
  });

  describe('bad input', () => {
    it('refuses bad namespaces, tags, values and options with named errors', async () => {
      const { cache } = setup();
      await expect(cache.set('Bad Namespace', 'k', 1)).rejects.toThrow(CacheKeyError);
      await expect(cache.set('ai-response', '', 1)).rejects.toThrow(/non-empty/);
      await expect(cache.set('ai-response', 'k', 1, { tags: ['has space'] })).rejects.toThrow(/tag "has space"/);
      await expect(cache.set('ai-response', 'k', undefined)).rejects.toThrow(/undefined/);
      await expect(cache.set('ai-response', 'k', { n: 1n })).rejects.toThrow(/JSON-serializable/);
      expect(() => resolveCacheSettings({ l1: { maxEntries: 0 } })).toThrow(OptionsError);
      expect(() => resolveCacheSettings({ l1: { maxEntries: 0 } })).toThrow(/l1\.maxEntries/);
      expect(() => resolveCacheSettings({ namespaces: { research: { l2TtlSeconds: -1 } } })).toThrow(/namespaces\.research\.l2TtlSeconds/);
    });
  });

  describe('metrics', () => {
    it('emits CACHE_HIT_RATE per tier and CACHE_SAVINGS through a real publisher', async () => {
      const transport = new MemoryTransport();
      const publisher = createPublisher({ projectId: 'demo-unit', source: 'cache-agent', exitHook: false, transport });
      const { cache } = setup({ name: 'writer', metrics: publisher });
      await cache.getOrSet('ai-response', 'k', () => 'v', { costMicros: 300, model: 'gemini-2.5-flash' });
      await cache.getOrSet('ai-response', 'k', () => 'v');
      await cache.getOrSet('ai-response', 'k', () => 'v');
      await cache.get('ai-response', 'other');
      await cache.close();
      await publisher.close();
      const payloads = transport.requests.flatMap((r) => r.events as { payload: { metric: string; labels: Record<string, string>; count: number; sum: number } }[]).map((e) => e.payload);
      const hitRate = payloads.filter((p) => p.metric === 'CACHE_HIT_RATE');
      expect(hitRate.map((p) => [p.labels.tier, p.count, p.sum]).sort()).toEqual([
        ['l1', 2, 200],
        ['miss', 2, 0],
      ]);
      expect(hitRate.every((p) => p.labels.cache === 'writer')).toBe(true);
      // Over all tiers the mean is the hit rate: 200 / 4 = 50 %.
      expect(hitRate.reduce((n, p) => n + p.sum, 0) / hitRate.reduce((n, p) => n + p.count, 0)).toBe(50);
      expect(payloads.filter((p) => p.metric === 'CACHE_SAVINGS')).toEqual([
        expect.objectContaining({ labels: { cache: 'writer', tier: 'l1', model: 'gemini-2.5-flash' }, count: 2, sum: 600 }),
      ]);
    });
  });
});

describe('L1Store', () => {
  it('stays within its byte bound, evicting least recently used entries and counting them', () => {
    const l1 = new L1Store({ maxEntries: 100, maxBytes: 1_000, maxEntryBytes: 500 });
    const entry = (bytes: number) => ({ value: 'x', tags: [], storedAt: 0, expiresAt: 1e15, bytes });
    for (let i = 0; i < 10; i++) l1.set(`ns:${i}`, entry(200));
    expect(l1.bytes).toBeLessThanOrEqual(1_000);
    expect(l1.size).toBe(5);
    expect(l1.evictions).toBe(5);
    expect(l1.get('ns:0', 0)).toBeUndefined();
    expect(l1.get('ns:9', 0)).toBeDefined();
    // Over the per-entry bound: not kept (L2 alone holds it).
    expect(l1.set('ns:big', entry(600))).toBe(false);
  });

  it('stays within its entry bound', () => {
    const l1 = new L1Store({ maxEntries: 3, maxBytes: 1_000_000, maxEntryBytes: 1_000 });
    for (let i = 0; i < 5; i++) l1.set(`ns:${i}`, { value: i, tags: ['t'], storedAt: 0, expiresAt: 1e15, bytes: 10 });
    expect(l1.size).toBe(3);
    // The tag index forgets evicted entries.
    expect(l1.deleteTag('t')).toBe(3);
  });
});
