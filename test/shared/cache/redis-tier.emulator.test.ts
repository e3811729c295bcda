import Redis from 'ioredis';
import { freePort, waitForPort } from '../../../bin/stack/ports';
import { startProcess, type ManagedProcess } from '../../../bin/stack/process-group';
import type { DegradedReport } from '../../../shared/cache/degraded-reporter';
import { GenerationCache, type GenerationCacheOptions } from '../../../shared/cache/generation-cache';
import { MemoryVectorIndex } from '../../../shared/cache/semantic/vector-index';
import { ResponseCache, type ResponseCacheOptions } from '../../../shared/cache/response-cache';
import { waitFor } from '../../support/test-stack';

/** Runs against the real redis-server the test setup started (GOVERNOR_TEST_REDIS_URL), and one of its own for outages. */
const redisUrl = () => {
  const url = process.env.GOVERNOR_TEST_REDIS_URL;
  if (!url) throw new Error('GOVERNOR_TEST_REDIS_URL is not set: is redis-server installed?');
  return url;
};

const opened: ResponseCache[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

let prefixes = 0;
/** Two caches on one Redis stand for two agent processes (separate L1s and connections). */
async function pair(options: GenerationCacheOptions = {}) {
  const keyPrefix = `test${Date.now()}-${prefixes++}`;
  const make = () => new GenerationCache({ redisUrl: redisUrl(), keyPrefix, onError: () => undefined, ...options });
  const a = make();
  const b = make();
  opened.push(a, b);
  await Promise.all([a.ready(), b.ready()]);
  return { a, b, keyPrefix };
}

async function eventually(check: () => Promise<boolean>, timeoutMilliseconds = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ResponseCache on Redis (L2)', () => {
  it('shares answers between processes and promotes an L2 hit into L1', async () => {
    const { a, b } = await pair();
    await a.set('ai-response', 'q1', { text: 'shared' });
    expect(await b.lookup('ai-response', 'q1')).toEqual({ value: { text: 'shared' }, tier: 'l2' });
    expect(await b.lookup('ai-response', 'q1')).toEqual({ value: { text: 'shared' }, tier: 'l1' });
    expect(b.stats()).toMatchObject({ l2: { hits: 1, enabled: true, connected: true }, l1: { hits: 1 } });
  });

  it('keeps entries in Redis for the namespace L2 TTL (24 h AI responses, 7 days research)', async () => {
    const { a, keyPrefix } = await pair();
    await a.set('ai-response', 'k', 1);
    await a.set('research', 'k', 1);
    const redis = new Redis(redisUrl());
    try {
      expect(await redis.pttl(`${keyPrefix}:e:ai-response:k`)).toBeGreaterThan(86_390_000);
      expect(await redis.pttl(`${keyPrefix}:e:ai-response:k`)).toBeLessThanOrEqual(86_400_000);
      expect(await redis.pttl(`${keyPrefix}:e:research:k`)).toBeGreaterThan(7 * 86_400_000 - 10_000);
    } finally {
      redis.disconnect();
    }
  });

  it.each([
    ['key', { namespace: 'ai-response', key: 'k1' }],
    ['tag', { tag: 'post:7' }],
    ['namespace', { namespace: 'ai-response' }],
  ] as const)('invalidates by %s in Redis and in every process L1', async (_kind, target) => {
    const { a, b } = await pair();
    await a.set('ai-response', 'k1', 'v1', { tags: ['post:7'] });
    await a.set('research', 'other', 'kept');
    expect(await b.lookup('ai-response', 'k1')).toMatchObject({ tier: 'l2' });
    expect(await b.lookup('ai-response', 'k1')).toMatchObject({ tier: 'l1' });
    expect(await a.invalidate(target)).toBe(1);
    await eventually(async () => (await b.get('ai-response', 'k1')) === undefined);
    expect(await a.get('ai-response', 'k1')).toBeUndefined();
    expect(await b.get('research', 'other')).toBe('kept');
  });

  it('computes a key once across processes: the second waits on the Redis lock for the first one\'s answer', async () => {
    const { a, b } = await pair();
    let calls = 0;
    const slow = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 300));
      return `computed ${calls}`;
    };
    const [x, y] = await Promise.all([a.getOrSet('ai-response', 'stampede', slow), new Promise((r) => setTimeout(r, 50)).then(() => b.getOrSet('ai-response', 'stampede', slow))]);
    expect([x, y]).toEqual(['computed 1', 'computed 1']);
    expect(calls).toBe(1);
    expect(b.stats()).toMatchObject({ lockWaits: 1, computations: 0, hits: 1 });
  });

  it('reuses a paraphrased prompt answered in another process (vectors in each process, answer in Redis)', async () => {
    const { a, b } = await pair();
    const request = { model: 'gemini-2.5-flash', prompt: 'Summarize the quarterly sales report', tenant: 't1' };
    let calls = 0;
    await a.wrapGenerate(request, async () => `summary ${++calls}`);
    // b has its own memory vector index: only the exact key is shared, so b computes a paraphrase…
    await b.wrapGenerate({ ...request, prompt: 'summarize the quarterly sales report please' }, async () => `summary ${++calls}`);
    expect(calls).toBe(2);
    // …but the exact prompt is an L2 hit in b.
    expect(await b.wrapGenerate(request, async () => `summary ${++calls}`)).toBe('summary 1');
  });
});

describe('ResponseCache when Redis is unreachable', () => {
  let server: ManagedProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function startRedis(port: number): Promise<ManagedProcess> {
    const p = startProcess({ name: 'redis-outage', command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'] });
    await waitForPort(port, '127.0.0.1', 10_000, 'redis-server');
    return p;
  }

  it('serves from L1 and computes, saying so once per interval, and recovers when Redis is back', async () => {
    const port = await freePort();
    server = await startRedis(port);
    const reports: DegradedReport[] = [];
    const cache = new ResponseCache({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: 'outage', onDegraded: (r) => reports.push(r), onError: () => undefined, degradedLogIntervalMilliseconds: 60_000 });
    opened.push(cache);
    await cache.ready();
    await cache.set('ai-response', 'before', 'kept in L1');
    await server.stop();
    server = undefined;
    // Served from L1 while Redis is gone; new keys are computed and kept in L1.
    expect(await cache.get('ai-response', 'before')).toBe('kept in L1');
    for (let i = 0; i < 20; i++) expect(await cache.getOrSet('ai-response', `new-${i}`, () => i)).toBe(i);
    expect(await cache.getOrSet('ai-response', 'new-3', () => -1)).toBe(3);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toMatch(/Redis \(L2\) unreachable, serving from L1 only/);
    expect(cache.stats().l2.degraded).toBe(true);
    // The client learns the socket closed from an I/O event, which the lookups above (all settled
    // by then) need not have given a turn of the event loop: wait for it rather than race it.
    await waitFor(async () => cache.stats().l2.connected, (connected) => !connected, 10_000, 'the Redis client to see the server gone');
    expect(cache.stats().l2).toMatchObject({ degraded: true, connected: false });

    server = await startRedis(port);
    await cache.ready(10_000);
    await cache.set('ai-response', 'after', 'shared again');
    expect(cache.stats().l2).toMatchObject({ degraded: false, connected: true });
    const other = new ResponseCache({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: 'outage' });
    opened.push(other);
    await other.ready();
    expect(await other.lookup('ai-response', 'after')).toMatchObject({ tier: 'l2' });
  });

  it('works on L1 alone when Redis was never reachable', async () => {
    const reports: DegradedReport[] = [];
    const cache = new ResponseCache({ redisUrl: 'redis://127.0.0.1:9', keyPrefix: 'never', onDegraded: (r) => reports.push(r), onError: () => undefined });
    opened.push(cache);
    let calls = 0;
    for (let i = 0; i < 5; i++) expect(await cache.getOrSet('ai-response', 'k', () => ++calls)).toBe(1);
    expect(calls).toBe(1);
    expect(reports).toHaveLength(1);
  });

  it('a rejection made in one process stops the reuse in every process, through Redis', async () => {
    // One vector index shared by both, as a fleet shares FirestoreVectorIndex.
    const { a, b } = await pair({ semantic: { vectorIndex: new MemoryVectorIndex() } });
    const asked = { model: 'gemini-2.5-flash', prompt: 'How do I reset my password on the admin console?' };
    const reworded = { ...asked, prompt: 'how can I reset my password in the admin console' };
    await a.wrapGenerate(asked, async () => 'the original answer');
    expect(await b.wrapGenerate(reworded, async () => 'its own answer')).toBe('the original answer');
    expect(await a.reject(reworded)).toMatchObject({ recorded: true, shared: true });
    expect(await b.wrapGenerate(reworded, async () => 'its own answer')).toBe('its own answer');
  });
});
