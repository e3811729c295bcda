import { calculateAiCost, PRICE_TABLE } from '../../shared/pricing';
import { budgetStatus } from '../../shared/reports/budget-status';
import { startGeminiStandIn, STAND_IN_USAGE, type GeminiStandIn } from '../support/gemini-stand-in';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';
import { runExample } from './example-runner';
import { isTypeScript, readmeBlocks } from './readme-blocks';
import { compileExamples, type CompiledExamples } from './typescript-examples';

/**
 * The README's agent examples marked `<!-- readme-test: run -->`, run as an agent runs them:
 * against the stack (spend-aggregator on the emulators), with @google/genai talking to a local
 * stand-in for Gemini. Each must run to its end; what they record must reach the stack, priced.
 */
const runBlocks = readmeBlocks().filter((b) => isTypeScript(b) && (b.annotation ?? '').split(';').some((a) => a.trim() === 'run'));
const micros = (model: string, inputTokens: number, outputTokens: number): number => calculateAiCost(PRICE_TABLE, { model, inputTokens, outputTokens }, new Date()).amountMicros;

describe('README agent examples, run against the stack', () => {
  let stack: TestStack;
  let gemini: GeminiStandIn;
  let compiled: CompiledExamples;

  beforeAll(async () => {
    [stack, gemini] = await Promise.all([startTestStack({ functions: ['spend-aggregator'] }), startGeminiStandIn()]);
    compiled = compileExamples(readmeBlocks());
  }, 180_000);
  afterAll(async () => {
    compiled?.remove();
    await Promise.all([stack?.close(), gemini?.close()]);
  });

  it('runs the agent examples: the throttle reader, the spend guard and the publisher', () => {
    const code = runBlocks.map((b) => b.lines.join('\n'));
    expect(code.some((c) => c.includes('createThrottleReader('))).toBe(true);
    expect(code.some((c) => c.includes('createSpendGuard('))).toBe(true);
    expect(code.some((c) => c.includes('recordSecurityEvent('))).toBe(true);
  });

  for (const block of runBlocks) {
    it(`README line ${block.line} (${block.section}) runs to its end`, async () => {
      expect(compiled.diagnostics).toEqual([]);
      const example = compiled.examples.find((e) => e.block.line === block.line);
      // @google/genai's own variable for its address: the examples' clients reach the stand-in unchanged.
      const env = { ...stack.clientEnv, GOOGLE_GEMINI_BASE_URL: gemini.baseUrl, GEMINI_API_KEY: 'readme-test-key' };
      const run = await runExample(example as NonNullable<typeof example>, env);
      if (!run.completed) throw new Error(`README line ${block.line} did not run to its end:\n${run.output}`);
      expect(run.completed).toBe(true);
      // Nothing went wrong quietly on the way (a failed embedding, a publish retried to failure, …).
      expect(run.output.split('\n').filter((l) => /"severity":"(WARNING|ERROR|CRITICAL)"|\bWARNING\b|\bERROR\b/.test(l))).toEqual([]);
    }, 90_000);
  }

  it('sent their Gemini calls to the stand-in and recorded what they spent, priced on the stack', async () => {
    const callers = runBlocks.filter((b) => b.lines.join('\n').includes('ai.models.generateContent('));
    expect(gemini.calls).toHaveLength(callers.length);
    expect(new Set(gemini.calls.map((c) => [c.model, c.apiKey].join(' ')))).toEqual(new Set(['gemini-2.5-flash readme-test-key']));
    // The throttle reader and spend guard examples record each call's usage; the publisher example
    // records 1,200 + 800 tokens of gemini-2.5-flash and $0.02 of STORAGE; measuring records no cost.
    // Examples whose Gemini call is recorded: by the wrapper (governGenAI), by the manual path, or settled by the spend guard.
    const recorders = runBlocks.filter((b) => /governGenAI\(|recordAiUsage\(\{ model: 'gemini-2.5-flash', inputTokens, outputTokens \}\)|reservation\.settle\(usage\)/.test(b.lines.join('\n')));
    // Examples that record fixed amounts: 1,200 + 800 tokens of gemini-2.5-flash, $0.02 of STORAGE.
    const count = (pattern: RegExp) => runBlocks.filter((b) => pattern.test(b.lines.join('\n'))).length;
    const fixedUsage = count(/recordAiUsage\(\{ model: 'gemini-2\.5-flash', inputTokens: 1200, outputTokens: 800 \}\)/);
    const storage = count(/recordCost\(\{ category: 'STORAGE', usd: 0\.02/);
    const expected = { AI_API_CALLS: recorders.length * micros('gemini-2.5-flash', STAND_IN_USAGE.promptTokenCount, STAND_IN_USAGE.candidatesTokenCount) + fixedUsage * micros('gemini-2.5-flash', 1200, 800), STORAGE: storage * 20_000 };
    const spent = await waitFor(
      async () => Object.fromEntries((await budgetStatus(stack.db)).budgets.map((b) => [b.budget, b.spentMicros])),
      (s) => s.AI_API_CALLS === expected.AI_API_CALLS && s.STORAGE === expected.STORAGE,
      30_000,
      'the examples\u2019 spend',
    );
    expect(spent).toMatchObject(expected);
  }, 60_000);
});
