import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { freePort, waitForPort } from '../bin/stack/ports';
import { startProcess } from '../bin/stack/process-group';
import { formatUsd } from '../shared/basics/money';
import { GenerationCache } from '../shared/cache/generation-cache';
import { ResponseCache } from '../shared/cache/response-cache';
import { HashingEmbedder } from '../shared/cache/semantic/hashing-embedder';
import { fixed, percentile, table } from './bench-support';
import { MUST_NOT_MATCH, REWORDINGS, SYNONYM_PARAPHRASES, TASKS } from './cache-workload';

/**
 * bench:cache — L1 and L2 hit latency against the raw stores they wrap (lru-cache get, ioredis
 * GET), measured in the same run; hit rate and money saved on repeated and reworded prompts;
 * false reuse on prompts that must not match, across models and tenants, per threshold.
 */
const MODEL = 'gemini-2.5-flash';
const TIMED = 200_000;
const TIMED_L2 = 20_000;

async function timeLoop(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const samples = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples[i] = (performance.now() - t0) * 1000;
  }
  return samples;
}

const summary = (s: number[]) => ({ p50: percentile(s, 50), p99: percentile(s, 99) });

/** A stand-in model: a distinct answer per prompt, with Gemini-shaped usage (for pricing). */
function model(prompt: string, tenant = 'acme', m = MODEL) {
  return async () => ({ text: `answer to [${prompt}] for ${tenant} by ${m}`, usageMetadata: { promptTokenCount: 400 + prompt.length, candidatesTokenCount: 800 } });
}

async function latency(redisUrl: string) {
  const keys = Array.from({ length: 1_000 }, (_, i) => `key-${i}`);
  const value = { text: 'x'.repeat(2_000) };
  const cache = new ResponseCache({ redisUrl, keyPrefix: 'bench', namespaces: { 'l2-only': { l1TtlSeconds: 0, l2TtlSeconds: 600 } } });
  await cache.ready();
  for (const k of keys) {
    await cache.set('ai-response', k, value);
    await cache.set('l2-only', k, value);
  }
  const lru = new LRUCache<string, object>({ max: 10_000 });
  for (const k of keys) lru.set(`ai-response:${k}`, value);
  const redis = new Redis(redisUrl);
  await timeLoop(20_000, (i) => cache.get('ai-response', keys[i % 1000]!));
  await timeLoop(20_000, async (i) => lru.get(`ai-response:${keys[i % 1000]}`));
  const l1 = await timeLoop(TIMED, (i) => cache.get('ai-response', keys[i % 1000]!));
  const lruBase = await timeLoop(TIMED, async (i) => lru.get(`ai-response:${keys[i % 1000]}`));
  await timeLoop(2_000, (i) => cache.get('l2-only', keys[i % 1000]!));
  const l2 = await timeLoop(TIMED_L2, (i) => cache.get('l2-only', keys[i % 1000]!));
  const getBase = await timeLoop(TIMED_L2, (i) => redis.get(`bench:e:l2-only:${keys[i % 1000]}`));
  const stats = cache.stats();
  redis.disconnect();
  await cache.close();
  return { l1: summary(l1), lruBase: summary(lruBase), l2: summary(l2), getBase: summary(getBase), stats };
}

async function workload(redisUrl: string, threshold: number) {
  const cache = new GenerationCache({ redisUrl, keyPrefix: `bench-w${Math.round(threshold * 100)}`, semantic: { embedder: new HashingEmbedder(), threshold } });
  await cache.ready();
  await cache.invalidate({ namespace: 'ai-response' });
  let calls = 0;
  let spentWithout = 0;
  const ask = async (prompt: string, tenant = 'acme', m = MODEL) => {
    const result = await cache.wrapGenerate({ model: m, prompt, tenant, temperature: 0.2 }, async () => {
      calls += 1;
      return model(prompt, tenant, m)();
    });
    return result.text;
  };
  // Repeated and reworded: each task asked in its first wording, then again (exact), then in each rewording.
  let requests = 0;
  let wrongOnReworded = 0;
  for (const t of TASKS) {
    const own = await ask(`How do I ${t}?`);
    for (const prompt of [`How do I ${t}?`, ...REWORDINGS.slice(1).map((r) => r(t))]) {
      const got = await ask(prompt);
      requests += 1;
      if (got !== own && !got.includes(`[${prompt}]`)) wrongOnReworded += 1;
    }
    requests += 1;
  }
  // Unrelated unique prompts (misses by nature): a third of the traffic.
  for (let i = 0; i < TASKS.length * 2; i++) {
    await ask(`Write a limerick number ${i} about ${TASKS[i % TASKS.length]}`);
    requests += 1;
  }
  const repeatCalls = calls;
  const stats = cache.stats();
  spentWithout = stats.savedMicros;
  // Synonym paraphrases.
  let synonymHits = 0;
  for (const [a, b] of SYNONYM_PARAPHRASES) {
    const ownA = await ask(a, 'syn');
    if ((await ask(b, 'syn')) === ownA) synonymHits += 1;
  }
  // Must-not-match: any reuse is false reuse.
  const falseReuse: Record<string, { pairs: number; reused: number }> = {};
  const count = (kind: string, reused: boolean) => {
    const f = (falseReuse[kind] ??= { pairs: 0, reused: 0 });
    f.pairs += 1;
    if (reused) f.reused += 1;
  };
  for (const p of MUST_NOT_MATCH) {
    const ownA = await ask(p.a, 'mnm');
    count(p.kind, (await ask(p.b, 'mnm')) === ownA);
  }
  for (const t of TASKS) {
    const prompt = `Please ${t}.`;
    const ownA = await ask(prompt, 'tenant-a');
    count('tenants', (await ask(prompt, 'tenant-b')) === ownA);
    count('models', (await ask(prompt, 'tenant-a', 'gemini-2.5-pro')) === ownA);
  }
  await cache.close();
  return { threshold, requests, calls: repeatCalls, hitRate: 1 - repeatCalls / requests, savedMicros: spentWithout, semanticHits: stats.semantic.hits, wrongOnReworded, synonymHits, falseReuse };
}

async function main(): Promise<void> {
  const port = await freePort();
  const server = startProcess({ name: 'bench-redis', command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'] });
  try {
    await waitForPort(port, '127.0.0.1', 10_000, 'redis-server');
    const url = `redis://127.0.0.1:${port}`;
    const lat = await latency(url);
    console.log(`Hit latency (µs), ${TIMED.toLocaleString()} L1 and ${TIMED_L2.toLocaleString()} L2 lookups of 1,000 keys (2 KB values), against the raw store in the same run:`);
    console.log(
      table([
        ['path', 'p50', 'p99', 'p99 ratio'],
        ['cache.get → L1 hit', fixed(lat.l1.p50, 2), fixed(lat.l1.p99, 2), `${fixed(lat.l1.p99 / lat.lruBase.p99, 1)}× lru-cache get`],
        ['lru-cache get (baseline)', fixed(lat.lruBase.p50, 2), fixed(lat.lruBase.p99, 2), ''],
        ['cache.get → L2 hit (loopback Redis)', fixed(lat.l2.p50, 1), fixed(lat.l2.p99, 1), `${fixed(lat.l2.p99 / lat.getBase.p99, 2)}× ioredis GET`],
        ['ioredis GET (baseline)', fixed(lat.getBase.p50, 1), fixed(lat.getBase.p99, 1), ''],
      ]),
    );
    console.log(`targets: L1 hit ≤ 5 µs p99 → ${lat.l1.p99 <= 5 ? 'met' : 'missed'}; L2 hit ≤ 1,000 µs p99 → ${lat.l2.p99 <= 1000 ? 'met' : 'missed'}`);
    console.log('');
    const rows = [['threshold', 'requests', 'model calls', 'hit rate', 'semantic hits', 'saved', 'wrong answers (reworded)', 'synonym paraphrases reused', 'false reuse: numbers', 'negations', 'names', 'tenants', 'models']];
    for (const threshold of [0.7, 0.8, 0.85, 0.9, 0.95]) {
      const w = await workload(url, threshold);
      const fr = (k: string) => `${w.falseReuse[k]?.reused}/${w.falseReuse[k]?.pairs}`;
      rows.push([fixed(threshold, 2), String(w.requests), String(w.calls), `${fixed(w.hitRate * 100)} %`, String(w.semanticHits), formatUsd(w.savedMicros), String(w.wrongOnReworded), `${w.synonymHits}/${SYNONYM_PARAPHRASES.length}`, fr('numbers'), fr('negations'), fr('names'), fr('tenants'), fr('models')]);
    }
    console.log(`Workload (${MODEL} prices; each task asked once, repeated once, reworded 3 times; 40 unique prompts), HashingEmbedder (default threshold 0.85):`);
    console.log(table(rows));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
