import { DEFAULT_BUDGET_CONFIG } from '../../../shared/budget/budget-config';
import { evaluateBudget } from '../../../shared/budget/evaluate-budgets';
import { parsePeriodId } from '../../../shared/basics/period';
import { recommend } from '../../../shared/budget/recommendations';
import { PRICE_TABLE } from '../../../shared/pricing';
import type { ModelUsage } from '../../../shared/budget/model-usage';

const USD = 1_000_000;
const NOW = new Date('2026-11-16T00:00:00Z');
const PERIOD = parsePeriodId('2026-11');
const usage = (u: Partial<ModelUsage>): ModelUsage => ({ micros: 0, events: 0, inputTokens: 0, outputTokens: 0, inputChars: 0, outputChars: 0, images: 0, ...u });
const states = (spent: Record<string, number>) =>
  (['AI_API_CALLS', 'STORAGE', 'COMPUTE', 'TOTAL'] as const).map((key) =>
    evaluateBudget(key, { config: DEFAULT_BUDGET_CONFIG, period: PERIOD, now: NOW, dataStart: PERIOD.start, spentMicros: spent }),
  );

describe('recommend', () => {
  it('prices the pro share of AI spend on its flash alternative and states the saving', () => {
    // 10M input + 1M output tokens on 2.5 Pro = $12.50 + $10 = $22.50; on 2.5 Flash = $3 + $2.50 = $5.50.
    const models = {
      'gemini-2.5-pro': usage({ micros: 22_500_000, events: 100, inputTokens: 10_000_000, outputTokens: 1_000_000 }),
      'gemini-2.5-flash': usage({ micros: 5_500_000, events: 100, inputTokens: 10_000_000, outputTokens: 1_000_000 }),
    };
    const [first] = recommend(states({ AI_API_CALLS: 28 * USD, TOTAL: 28 * USD }), models, PRICE_TABLE, NOW);
    expect(first).toMatchObject({ kind: 'model-switch', model: 'gemini-2.5-pro', alternative: 'gemini-2.5-flash', alternativeMicros: 5_500_000, savingMicros: 17_000_000 });
    expect(first!.kind === 'model-switch' && first!.shareOfAiSpend).toBeCloseTo(22.5 / 28);
    expect(first!.message).toContain('$17.00');
  });

  it('flags budgets trending over and suggests moving spare budget from one trending under', () => {
    const recs = recommend(states({ COMPUTE: 40 * USD, STORAGE: 1 * USD, TOTAL: 41 * USD }), {}, PRICE_TABLE, NOW);
    expect(recs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'forecast-over-budget', budget: 'COMPUTE', forecastMicros: 80 * USD, budgetMicros: 50 * USD }),
        expect.objectContaining({ kind: 'reallocate', to: 'COMPUTE' }),
        expect.objectContaining({ kind: 'approaching-limit', budget: 'COMPUTE' }),
      ]),
    );
  });

  it('names a throttled budget and the command that raises it', () => {
    const recs = recommend(states({ STORAGE: 19.5 * USD, TOTAL: 19.5 * USD }), {}, PRICE_TABLE, NOW);
    expect(recs.find((r) => r.kind === 'throttled')?.message).toContain('governor budget set STORAGE');
  });

  it('says so when everything is within budget', () => {
    expect(recommend(states({ AI_API_CALLS: USD, TOTAL: USD }), {}, PRICE_TABLE, NOW)).toEqual([expect.objectContaining({ kind: 'within-budget' })]);
  });
});
