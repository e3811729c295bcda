import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerationCache } from '../../shared/cache/generation-cache';
import { MemoryVectorIndex } from '../../shared/cache/semantic/vector-index';
import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { governorCli } from '../support/governor-cli';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

/**
 * The cache's numbers end to end: an agent's cache → publisher → Pub/Sub emulator →
 * metric-aggregator → Firestore → `governor budget report`, `metrics report`, `cache stats`;
 * and `cache warm` / `cache invalidate` acting on the run's real Redis and the agents' L1.
 */
describe('governor cache on the local stack', () => {
  let stack: TestStack;
  let publisher: GovernorPublisher;
  let cli: (...args: string[]) => Promise<{ status: number | null; stdout: string; stderr: string }>;
  const redisUrl = () => process.env.GOVERNOR_TEST_REDIS_URL ?? '';
  const dir = mkdtempSync(join(tmpdir(), 'governor-cache-cli-'));

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['metric-aggregator'] });
    publisher = createPublisher({ projectId: stack.projectId, source: 'cached-agent', exitHook: false });
    cli = governorCli(() => ({ ...stack.clientEnv, REDIS_URL: redisUrl() }));
  });
  afterAll(async () => {
    await publisher?.close();
    await stack?.close();
  });

  it('shows the money saved this month, the hit rate against 60 %, and the Redis contents', async () => {
    const cache = new GenerationCache({ name: 'writer', redisUrl: redisUrl(), metrics: publisher });
    await cache.ready();
    const request = { model: 'gemini-2.5-flash', prompt: `Outline a post about caching ${Date.now()}`, tenant: 'acme' };
    const generate = async () => ({ text: 'an outline', usageMetadata: { promptTokenCount: 1_000, candidatesTokenCount: 2_000 } });
    for (let i = 0; i < 4; i++) await cache.wrapGenerate(request, generate);
    await cache.close();
    await publisher.flush();

    const budget = await waitFor(
      async () => JSON.parse((await cli('budget', 'report', '--json')).stdout) as { cacheSavings: { savedMicros: number; hits: number } },
      (r) => r.cacheSavings.hits === 3,
      20_000,
      'the savings in the budget report',
    );
    // Three hits × $0.0053 (1,000 input and 2,000 output tokens of gemini-2.5-flash).
    expect(budget.cacheSavings).toMatchObject({ savedMicros: 15_900, byModel: { 'gemini-2.5-flash': { savedMicros: 15_900, hits: 3 } } });
    const human = await cli('budget', 'report');
    expect(human.stdout).toContain('Response cache saved $0.02 this month (3 hits)');

    const metrics = JSON.parse((await cli('metrics', 'report', '--window', '1h', '--json')).stdout) as { cache: { hitRatePercent: number; target: number; met: boolean; byTier: Record<string, number> } };
    expect(metrics.cache).toMatchObject({ hitRatePercent: 75, target: 60, met: true, byTier: { l1: 0.75, miss: 0.25 } });
    expect((await cli('metrics', 'report', '--window', '1h')).stdout).toMatch(/Cache hit rate 75\.0 % over 4 lookups — target 60 %: met/);

    const stats = await cli('cache', 'stats', '--window', '1h', '--json');
    expect(stats.status).toBe(0);
    const shown = JSON.parse(stats.stdout) as { hitRate: { lookups: number }; savedThisMonth: { savedMicros: number }; redis: Record<string, { entries: number }> };
    expect(shown.hitRate.lookups).toBe(4);
    expect(shown.savedThisMonth.savedMicros).toBe(15_900);
    expect(shown.redis['ai-response']?.entries).toBeGreaterThanOrEqual(1);
  });

  it('warms entries from a file that agents then read, refusing a bad file whole', async () => {
    const good = join(dir, 'warm.jsonl');
    writeFileSync(good, [JSON.stringify({ namespace: 'research', key: 'topic:rust', value: { notes: 'ownership' }, tags: ['topic:rust'] }), JSON.stringify({ request: { model: 'gemini-2.5-flash', prompt: 'What is Governor?' }, response: { text: 'Guardrails for agents.' } })].join('\n'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [JSON.stringify({ namespace: 'research', key: 'fine', value: 1 }), JSON.stringify({ namespace: 'Bad NS', key: 'k', value: 1 })].join('\n'));

    const refused = await cli('cache', 'warm', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/line 2: .*nothing was warmed/);

    const warmed = await cli('cache', 'warm', good);
    expect(warmed.stdout).toMatch(/warmed 1 entry and 1 generated answer/);
    const agent = new GenerationCache({ redisUrl: redisUrl() });
    try {
      await agent.ready();
      expect(await agent.lookup('research', 'topic:rust')).toEqual({ value: { notes: 'ownership' }, tier: 'l2' });
      expect(await agent.wrapGenerate({ model: 'gemini-2.5-flash', prompt: 'What is Governor?' }, async () => ({ text: 'computed' }))).toEqual({ text: 'Guardrails for agents.' });
      // Now in the agent's L1 too; the CLI's invalidation reaches it through Redis.
      expect(await agent.lookup('research', 'topic:rust')).toMatchObject({ tier: 'l1' });
      const invalidated = await cli('cache', 'invalidate', '--tag', 'topic:rust');
      expect(invalidated.stdout).toContain('invalidated 1 entry');
      await waitFor(() => agent.get('research', 'topic:rust'), (v) => v === undefined, 5_000, 'the agent L1 to drop the entry');
    } finally {
      await agent.close();
    }
    const usage = await cli('cache', 'invalidate', '--key', 'k');
    expect(usage.status).toBe(1);
    expect(usage.stderr).toMatch(/give --tag, or --namespace/);
  });

  it('rejects wrong reuses from a file: every agent then computes its own answer', async () => {
    // The agents' vector index; the CLI has its own (memory), so the file names the source prompt.
    const agent = new GenerationCache({ redisUrl: redisUrl(), semantic: { vectorIndex: new MemoryVectorIndex() } });
    try {
      await agent.ready();
      const stamp = Date.now();
      const asked = { model: 'gemini-2.5-flash', prompt: `How do I rotate the API keys of project ${stamp}?` };
      const reworded = { ...asked, prompt: `how can I rotate the api keys of project ${stamp}` };
      await agent.wrapGenerate(asked, async () => ({ text: 'the original answer' }));
      expect(await agent.wrapGenerate(reworded, async () => ({ text: 'its own answer' }))).toEqual({ text: 'the original answer' });

      const bad = join(dir, 'reject-bad.jsonl');
      writeFileSync(bad, [JSON.stringify({ request: reworded, sourcePrompt: asked.prompt }), JSON.stringify({ request: { ...reworded, model: '' } })].join('\n'));
      expect(await cli('cache', 'reject', bad)).toMatchObject({ status: 1, stderr: expect.stringMatching(/line 2: request\.model: .*nothing was rejected/) });

      const file = join(dir, 'reject.jsonl');
      writeFileSync(file, [JSON.stringify({ request: reworded, sourcePrompt: asked.prompt }), JSON.stringify({ request: { model: 'gemini-2.5-flash', prompt: `never asked ${stamp}` } })].join('\n'));
      const rejected = await cli('cache', 'reject', file);
      expect(rejected.stdout).toMatch(/rejected 1 reuse\(s\)/);
      expect(rejected.stdout).toMatch(/item 2: no reused answer found/);
      expect(await agent.wrapGenerate(reworded, async () => ({ text: 'its own answer' }))).toEqual({ text: 'its own answer' });
    } finally {
      await agent.close();
    }
  });
});
