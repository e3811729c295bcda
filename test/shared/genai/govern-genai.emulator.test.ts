import type { GoogleGenAI as GoogleGenAIType } from '@google/genai' with { 'resolution-mode': 'import' };
import { periodOf } from '../../../shared/basics/period';
import { COLLECTIONS } from '../../../shared/basics/collections';
import { withBudget } from '../../../shared/budget/budget-config';
import type { AiUsage } from '../../../shared/contracts/cost-event';
import { governGenAI } from '../../../shared/genai';
import { loadGenAi } from '../../../shared/genai/genai-types';
import { createSpendGuard, type SpendGuard } from '../../../shared/leasing/spend-guard';
import { calculateAiCost, PRICE_TABLE } from '../../../shared/pricing';
import { updateBudgetConfig } from '../../../shared/store/budget-config-store';
import { loadPriceTable } from '../../../shared/store/price-overrides-store';
import { apiError, GeminiServer, textAnswer, usageMetadata } from '../../support/gemini-server';
import { governorCli } from '../../support/governor-cli';
import { countedEvents, probeAlerts, readSpendTotals, waitForCounted } from '../../support/spend-helpers';
import { stackWithPublisher } from '../../support/stack-with-publisher';
import { waitFor } from '../../support/test-stack';
import { shareUndiciDispatcher } from '../../support/undici-dispatcher';

const { GoogleGenAI } = loadGenAi();
const period = () => periodOf(new Date()).id;

/**
 * The governed client on the local stack: calls reserve against a hard budget, their usage goes
 * through Pub/Sub to spend-aggregator, and the recorded spend is the price of exactly what the
 * (stand-in) Gemini API reported — to the micro-dollar, an unknown model's too once it has a price.
 */
describe('governGenAI on the local stack', () => {
  let guard: SpendGuard | undefined;
  const server = new GeminiServer(() => ({ kind: 'json', body: textAnswer('ok', usageMetadata({ prompt: 10, candidates: 2 })) }));
  // Registered before the stack's own afterAll, so the guard returns its leases while Firestore still runs.
  afterAll(async () => {
    await guard?.close();
    await server.close();
  });
  const local = stackWithPublisher({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } }, 'genai-agent');
  const governor = governorCli(() => local.stack.clientEnv);
  let ai: GoogleGenAIType;

  beforeAll(async () => {
    await shareUndiciDispatcher();
    await server.start();
    await updateBudgetConfig(local.stack.db, (c) => ({ ...withBudget(c, 'AI_API_CALLS', 100_000_000), budgetMode: { AI_API_CALLS: 'hard' } }));
    guard = await createSpendGuard({ publisher: local.publisher, firestore: local.stack.db, projectId: local.stack.projectId, exitHook: false }).ready();
    ai = governGenAI(new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.baseUrl } }), { publisher: local.publisher, spendGuard: guard });
  });

  /** What the server reports for each call, and so what must be charged. */
  const calls: { model: string; meta: Parameters<typeof usageMetadata>[0]; stream?: boolean }[] = [
    { model: 'gemini-2.5-flash', meta: { prompt: 1_234, candidates: 321 } },
    { model: 'gemini-2.5-pro', meta: { prompt: 250_000, candidates: 4_000, thoughts: 12_345 } },
    { model: 'gemini-2.5-flash', meta: { prompt: 60_000, candidates: 777, cached: 32_768, toolUse: 4_321, audio: 9_000 } },
    { model: 'gemini-3.5-flash', meta: { prompt: 999, candidates: 1_500, thoughts: 2_222 }, stream: true },
    { model: 'gemini-4-flash', meta: { prompt: 5_000, candidates: 600, thoughts: 700 } },
    { model: 'gemini-4-flash', meta: { prompt: 7_000, candidates: 100 }, stream: true },
  ];
  const usageOfCall = (c: (typeof calls)[number]): AiUsage => ({
    model: c.model,
    inputTokens: c.meta.prompt,
    outputTokens: c.meta.candidates,
    ...(c.meta.thoughts ? { thoughtsTokens: c.meta.thoughts } : {}),
    ...(c.meta.cached ? { cachedInputTokens: c.meta.cached } : {}),
    ...(c.meta.toolUse ? { toolUseInputTokens: c.meta.toolUse } : {}),
    ...(c.meta.audio ? { audioInputTokens: c.meta.audio } : {}),
  });

  it('records exactly the price of the usage Gemini reported; an unknown model provisionally, with one alert', async () => {
    const alerts = await probeAlerts(local.stack.pubsub, local.stack.topology.topics.alerts);
    for (const call of calls) {
      const body = textAnswer('answer', usageMetadata(call.meta), call.model);
      if (call.stream) {
        server.answerNext({ kind: 'sse', chunks: [textAnswer('ans', usageMetadata({ ...call.meta, candidates: 1 }), call.model), body] });
        for await (const chunk of await ai.models.generateContentStream({ model: call.model, contents: 'write', config: { maxOutputTokens: 4_000 } })) expect(chunk.text).toBeDefined();
      } else {
        server.answerNext({ kind: 'json', body });
        expect((await ai.models.generateContent({ model: call.model, contents: 'write', config: { maxOutputTokens: 4_000 } })).text).toBe('answer');
      }
    }
    server.answerNext(apiError(429, 'Resource has been exhausted'));
    await expect(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toMatchObject({ status: 429 });
    await local.publisher.flush();

    await waitForCounted(local.stack.db, period(), calls.length);
    const now = new Date();
    const provisional = calls.map((c) => calculateAiCost(PRICE_TABLE, usageOfCall(c), now, {}));
    expect(provisional.map((p) => p.provisional ?? false)).toEqual([false, false, false, false, true, true]);
    // The unknown flash model is charged as the dearest flash model in force.
    expect(provisional[4]!.price.model).toBe('gemini-3.5-flash');
    const totals = await readSpendTotals(local.stack.db, period(), ['AI_API_CALLS']);
    expect(totals.AI_API_CALLS).toBe(provisional.reduce((n, p) => n + p.amountMicros, 0));
    expect(guard!.stats()).toMatchObject({ reservations: calls.length + 1, open: 0 });

    await waitFor(async () => alerts.messages.filter((a) => a.kind === 'pricing').length, (n) => n >= 1, 20_000, 'the pricing alert');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alerts.messages.filter((a) => a.kind === 'pricing')).toEqual([expect.objectContaining({ model: 'gemini-4-flash', chargedAs: `gemini-3.5-flash@2026-05-19`, severity: 'WARNING' })]);
    await alerts.close();
    const checked = await governor('prices', 'check', '--json');
    expect(checked.status).toBe(1);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: false, unpriced: [expect.objectContaining({ model: 'gemini-4-flash' })] });
  });

  it('re-prices the unknown model exactly once a price is added, with correcting ledger entries', async () => {
    const added = await governor('prices', 'add', 'gemini-4-flash', '--input', '0.40', '--output', '2.00', '--cached-input', '0.04', '--from', '2026-01-01', '--source', 'test: the stand-in server', '--json');
    expect(added.stderr).toBe('');
    expect(JSON.parse(added.stdout)).toMatchObject({ entry: { model: 'gemini-4-flash', effectiveFrom: '2026-01-01' }, repriced: { repriced: 2 } });
    // Running it again corrects nothing twice.
    expect(JSON.parse((await governor('prices', 'reprice', 'gemini-4-flash', '--json')).stdout)).toMatchObject({ repriced: 0, unpriced: 0 });

    const { table } = await loadPriceTable(local.stack.db);
    const exact = calls.reduce((n, c) => n + calculateAiCost(table, usageOfCall(c), new Date()).amountMicros, 0);
    expect((await readSpendTotals(local.stack.db, period(), ['AI_API_CALLS', 'TOTAL']))).toEqual({ AI_API_CALLS: exact, TOTAL: exact });
    const corrections = await local.stack.db.collection(COLLECTIONS.costEvents).where('corrects', '!=', null).get();
    expect(corrections.size).toBe(2);
    expect(await countedEvents(local.stack.db, period())).toMatchObject({ shardEvents: calls.length, ledgerEntries: calls.length + 2 });

    // From now on the model is priced exactly as it arrives; the check is clean.
    server.answerNext({ kind: 'json', body: textAnswer('again', usageMetadata({ prompt: 1_000, candidates: 1_000 }), 'gemini-4-flash') });
    await ai.models.generateContent({ model: 'gemini-4-flash', contents: 'again' });
    await local.publisher.flush();
    await waitForCounted(local.stack.db, period(), calls.length + 1);
    expect((await readSpendTotals(local.stack.db, period(), ['AI_API_CALLS'])).AI_API_CALLS).toBe(exact + 2_400); // 1,000 × $0.40/M + 1,000 × $2.00/M
    expect(JSON.parse((await governor('prices', 'check', '--json')).stdout)).toMatchObject({ ok: true, added: 1 });
  });

  it('refuses a price more than 10× from the one it follows without --force, and never edits history', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const jump = await governor('prices', 'add', 'gemini-2.5-flash', '--input', '3.50', '--output', '2.50', '--from', today, '--source', 'typo');
    expect(jump.status).toBe(1);
    expect(jump.stderr).toMatch(/input 0.30 → 3.50 is more than 10× away .* --force/);
    const past = await governor('prices', 'add', 'gemini-2.5-flash', '--input', '0.35', '--output', '2.50', '--from', '2025-01-01', '--source', 'late');
    expect(past.stderr).toMatch(/has a price from 2025-06-17; a new one must start after it/);
    const bad = await governor('prices', 'add', 'gemini-2.5-flash', '--input', 'cheap', '--output', '2.50', '--source', 'x');
    expect(bad.stderr).toMatch(/input/);
    expect((await governor('prices', 'add', 'gemini-2.5-flash', '--input', '3.50', '--output', '2.50', '--from', today, '--source', 'really', '--force')).status).toBe(0);
    const listed = JSON.parse((await governor('prices', 'list', '--json')).stdout) as { entries: { model: string; input: string; origin: string; inForce: boolean }[] };
    expect(listed.entries.filter((e) => e.model === 'gemini-2.5-flash')).toEqual([expect.objectContaining({ input: '3.50', origin: 'added', inForce: true })]);
  });
});
