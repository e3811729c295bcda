import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { freePort, waitForPort } from '../bin/stack/ports';
import { startProcess } from '../bin/stack/process-group';
import { GenerationCache } from '../shared/cache/generation-cache';
import { ResponseCache } from '../shared/cache/response-cache';
import type { Embedder } from '../shared/cache/semantic/embedder';
import { HashingEmbedder } from '../shared/cache/semantic/hashing-embedder';
import { calibrate, labelledPairSchema } from '../shared/cache/semantic/threshold-calibration';
import { fixed, percentile, table } from './bench-support';
import { intents, reword, seeded, zipf } from './cache-workload';

/**
 * bench:cache — L1 and L2 hit latency against the raw stores they wrap (lru-cache get, ioredis
 * GET), measured in the same run; reuse and false reuse per category on the labelled set; hit
 * rate, wrong answers per request and the correct share of hits on a Zipf workload, per threshold.
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

const FIXTURE = join(__dirname, '..', '..', 'test', 'fixtures', 'cache', 'labelled-pairs.jsonl');
const RUNS = 5;
const REQUESTS = 1_000;

/**
 * One run of the Zipf workload on a fresh cache (L1 only: correctness, not latency): hits, and
 * hits that served another intent's answer. With `feedback`, each wrong answer is rejected
 * (`cache.reject`) as a user would, and the next ask of that prompt must get its own answer.
 */
async function zipfRun(seed: number, embedder: Embedder, threshold: number, feedback: boolean) {
  const random = seeded(seed);
  const all = intents();
  const pick = zipf(all.length, random);
  const cache = new GenerationCache({ redisUrl: '', semantic: { embedder, threshold } });
  let hits = 0;
  let wrong = 0;
  let exactRepeats = 0;
  const seen = new Set<string>();
  const wrongByKind: Record<string, number> = {};
  const repeatedWrong = new Set<string>();
  let wrongAgain = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const intent = all[pick()]!;
    const reworded = random() < 0.4 ? reword(intent.prompt, random) : { kind: 'exact', prompt: intent.prompt };
    const request = { model: MODEL, prompt: reworded.prompt, tenant: 'acme', temperature: 0.2 };
    if (seen.has(reworded.prompt)) exactRepeats += 1;
    seen.add(reworded.prompt);
    let computed = false;
    const answer = await cache.wrapGenerate(request, async () => {
      computed = true;
      return { text: `answer to intent ${intent.id}`, usageMetadata: { promptTokenCount: 400, candidatesTokenCount: 800 } };
    });
    if (computed) continue;
    hits += 1;
    if (answer.text !== `answer to intent ${intent.id}`) {
      wrong += 1;
      wrongByKind[reworded.kind] = (wrongByKind[reworded.kind] ?? 0) + 1;
      if (repeatedWrong.has(reworded.prompt)) wrongAgain += 1;
      repeatedWrong.add(reworded.prompt);
      if (feedback) await cache.reject(request);
    }
  }
  await cache.close();
  return { hits, wrong, exactRepeats, wrongAgain, wrongByKind };
}

async function zipfWorkload(embedder: Embedder, threshold: number, feedback: boolean) {
  const runs: Awaited<ReturnType<typeof zipfRun>>[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await zipfRun(25 + r, embedder, threshold, feedback));
  const sum = (f: (x: (typeof runs)[number]) => number) => runs.reduce((n, x) => n + f(x), 0);
  const requests = RUNS * REQUESTS;
  return { threshold, feedback, requests, hitRate: sum((x) => x.hits) / requests, exactRate: sum((x) => x.exactRepeats) / requests, wrong: sum((x) => x.wrong), wrongAgain: sum((x) => x.wrongAgain), correctShare: 1 - sum((x) => x.wrong) / Math.max(1, sum((x) => x.hits)) };
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
    const pairs = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => labelledPairSchema.parse(JSON.parse(l)));
    const embedder = new HashingEmbedder();
    const cal = await calibrate(pairs, embedder);
    const at = cal.rows.find((r) => Math.abs(r.threshold - embedder.defaultThreshold) < 1e-9)!;
    console.log(`Labelled set (${pairs.length} pairs, test/fixtures/cache/labelled-pairs.jsonl), ${embedder.id} at its default threshold ${embedder.defaultThreshold} (calibrate recommends ${cal.recommended?.threshold ?? 'none'}):`);
    console.log(table([['category', 'expect', 'reused'], ...Object.entries(at.byCategory).map(([c, t]) => [c, t.expect, `${t.reused}/${t.pairs} (${fixed(t.rate * 100)} %)`]), ['all "reuse"', '', `${at.reuse.reused}/${at.reuse.pairs} (${fixed(at.reuse.rate * 100)} %)`], ['all "distinct" (false reuse)', '', `${at.falseReuse.reused}/${at.falseReuse.pairs} (${fixed(at.falseReuse.rate * 100)} %)`]]));
    console.log('');
    const rows = [['embedder', 'threshold', 'reject feedback', 'requests', 'hit rate', 'of which exact repeats', 'wrong answers', 'wrong / request', 'correct share of hits', 'same prompt wrong again']];
    // The same vectors without the lexical partition: how an embedder of meanings (Gemini) is compared, twins left to the threshold.
    const meanings: Embedder = { id: `${embedder.id}-not-lexical`, dimensions: embedder.dimensions, defaultThreshold: embedder.defaultThreshold, embed: (texts) => embedder.embed(texts) };
    const cases: [Embedder, number, boolean][] = [[embedder, 0.75, false], [embedder, 0.8, false], [embedder, 0.85, false], [embedder, embedder.defaultThreshold, false], [embedder, 0.95, false], [meanings, 0.75, false], [meanings, 0.75, true], [meanings, 0.8, false], [meanings, embedder.defaultThreshold, false]];
    for (const [e, threshold, feedback] of cases) {
      const w = await zipfWorkload(e, threshold, feedback);
      rows.push([e.id, fixed(threshold, 2), feedback ? 'yes' : 'no', String(w.requests), `${fixed(w.hitRate * 100)} %`, `${fixed(w.exactRate * 100)} %`, String(w.wrong), `${fixed((w.wrong / w.requests) * 100, 2)} %`, `${fixed(w.correctShare * 100, 2)} %`, String(w.wrongAgain)]);
    }
    console.log(`Zipf workload: ${RUNS} × ${REQUESTS.toLocaleString()} requests over ${intents().length} intents (Zipf exponent 1), 40 % reworded (case 30 %, filler 35 %, punctuation 15 %, typo 10 %, synonym 10 %):`);
    console.log(table(rows));
    console.log(`targets: wrong answers ≤ 0.1 % of requests, 0 reuse across swapped order (labelled set: ${at.byCategory['swapped-order']?.reused}/${at.byCategory['swapped-order']?.pairs}), hit rate ≥ 70 %`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
