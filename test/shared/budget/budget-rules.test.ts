import { budgetAlertMessage } from '../../../shared/budget/alert-message';
import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, withBudget, type BudgetConfig } from '../../../shared/budget/budget-config';
import { alertsFor, evaluateBudget, type EvaluationInput } from '../../../shared/budget/evaluate-budgets';
import { forecastSpend } from '../../../shared/budget/forecast';
import { parsePeriodId, periodOf, previousPeriod } from '../../../shared/basics/period';
import { budgetAlertSchema } from '../../../shared/contracts/budget-alert';
import { OptionsError } from '../../../shared/contracts/validation-error';

const USD = 1_000_000;
const NOVEMBER = parsePeriodId('2026-11');
const at = (iso: string) => new Date(iso);

function input(spent: Record<string, number>, now = at('2026-11-16T00:00:00Z'), config: BudgetConfig = DEFAULT_BUDGET_CONFIG): EvaluationInput {
  return { config, period: NOVEMBER, now, dataStart: NOVEMBER.start, spentMicros: spent };
}

describe('budget rules', () => {
  describe('budget config', () => {
    it("defaults to the seed's eight budgets, USD 250 in total", () => {
      const c = DEFAULT_BUDGET_CONFIG;
      expect(c.categories).toEqual({ AI_API_CALLS: 100 * USD, STORAGE: 20 * USD, COMPUTE: 50 * USD, NETWORK: 10 * USD, DATABASE: 30 * USD, CACHING: 10 * USD, MONITORING: 5 * USD, OTHER: 25 * USD });
      expect(c.totalMicros).toBe(250 * USD);
      expect(Object.values(c.categories).reduce((a, b) => a + b, 0)).toBe(c.totalMicros);
    });

    it('changes one budget and validates the result', () => {
      expect(withBudget(DEFAULT_BUDGET_CONFIG, 'AI_API_CALLS', 150 * USD).categories.AI_API_CALLS).toBe(150 * USD);
      expect(withBudget(DEFAULT_BUDGET_CONFIG, 'TOTAL', 300 * USD).totalMicros).toBe(300 * USD);
      expect(() => withBudget(DEFAULT_BUDGET_CONFIG, 'TEA', USD)).toThrow(/"TEA" is not a category/);
      expect(() => withBudget(DEFAULT_BUDGET_CONFIG, 'STORAGE', -1)).toThrow(OptionsError);
      expect(() => withBudget(DEFAULT_BUDGET_CONFIG, 'TOTAL', 0)).toThrow(/totalMicros/);
    });

    it('names the bad field of a stored config', () => {
      expect(() => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, categories: { ...DEFAULT_BUDGET_CONFIG.categories, NETWORK: 1.5 } })).toThrow(/categories\.NETWORK/);
      expect(() => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, currencyCode: 'EUR' })).toThrow(/currencyCode/);
    });
  });

  describe('periods', () => {
    it('are calendar months in UTC', () => {
      expect(periodOf(at('2026-11-30T23:59:59.999Z')).id).toBe('2026-11');
      expect(periodOf(at('2026-12-01T00:00:00Z')).id).toBe('2026-12');
      // 2026-12-01 00:30 in UTC+1 is still November in UTC.
      expect(periodOf(at('2026-12-01T00:30:00+01:00')).id).toBe('2026-11');
      expect(previousPeriod(parsePeriodId('2027-01')).id).toBe('2026-12');
      expect(() => parsePeriodId('2026-13')).toThrow('not a period');
    });
  });

  describe('forecastSpend', () => {
    it('says honestly when there is not enough history', () => {
      const f = forecastSpend(10 * USD, NOVEMBER, at('2026-11-02T00:00:00Z'), NOVEMBER.start, 72);
      expect(f).toMatchObject({ status: 'insufficient-data', availableAt: at('2026-11-04T00:00:00Z') });
      expect(f.status === 'insufficient-data' && f.reason).toContain('24.0 h of history, a forecast needs 72 h');
    });

    it('is spend ÷ elapsed × period length from the period start', () => {
      // 15 of 30 days elapsed with $40 spent → $80.
      expect(forecastSpend(40 * USD, NOVEMBER, at('2026-11-16T00:00:00Z'), NOVEMBER.start, 72)).toEqual({ status: 'ok', forecastMicros: 80 * USD, basis: 'run-rate' });
    });

    it('counts history from the first recorded spend when that is later', () => {
      // First spend on the 11th; $20 over 5 days → $4/day × 15 days left + $20 = $80.
      expect(forecastSpend(20 * USD, NOVEMBER, at('2026-11-16T00:00:00Z'), at('2026-11-11T00:00:00Z'), 72)).toMatchObject({ forecastMicros: 80 * USD });
    });

    it('is the spend itself once the period is over', () => {
      expect(forecastSpend(5, NOVEMBER, at('2026-12-03T00:00:00Z'), NOVEMBER.start, 72)).toEqual({ status: 'ok', forecastMicros: 5, basis: 'complete-period' });
    });
  });

  describe('evaluateBudget and alertsFor', () => {
    it('crosses 80 % → WARNING, 95 % → CRITICAL + throttled, 100 % → EXCEEDED + blocked', () => {
      const cases: [number, string[], string][] = [
        [79.99, [], 'none'],
        [80, ['WARNING'], 'none'],
        [95, ['WARNING', 'CRITICAL'], 'throttled'],
        [100, ['WARNING', 'CRITICAL', 'EXCEEDED'], 'blocked'],
      ];
      for (const [usd, levels, throttle] of cases) {
        const s = evaluateBudget('AI_API_CALLS', input({ AI_API_CALLS: Math.round(usd * USD) }, at('2026-11-02T00:00:00Z')));
        expect(s.crossed.map((t) => t.level)).toEqual(levels);
        expect(s.throttle).toBe(throttle);
      }
    });

    it('gives one stable alert id per (budget, period, threshold)', () => {
      const s = evaluateBudget('TOTAL', input({ TOTAL: 240 * USD }, at('2026-11-02T00:00:00Z')));
      expect(alertsFor(s, '2026-11').map((a) => a.alertId)).toEqual(['budget_TOTAL_2026-11_80', 'budget_TOTAL_2026-11_95']);
    });

    it('raises a forecast alert once the run rate passes the budget', () => {
      // $60 of $100 after half the month → $120 forecast.
      const s = evaluateBudget('AI_API_CALLS', input({ AI_API_CALLS: 60 * USD }));
      const drafts = alertsFor(s, '2026-11');
      expect(drafts).toEqual([expect.objectContaining({ alertId: 'forecast_AI_API_CALLS_2026-11_100', kind: 'forecast', forecastMicros: 120 * USD })]);
    });

    it('treats any spend against a zero budget as exceeded', () => {
      const config = withBudget(DEFAULT_BUDGET_CONFIG, 'CACHING', 0);
      expect(evaluateBudget('CACHING', input({ CACHING: 1 }, undefined, config)).throttle).toBe('blocked');
      expect(evaluateBudget('CACHING', input({}, undefined, config)).throttle).toBe('none');
    });
  });

  describe('budgetAlertMessage', () => {
    it('carries the Cloud Billing notification fields and validates against the alert contract', () => {
      const s = evaluateBudget('STORAGE', input({ STORAGE: 19 * USD }, at('2026-11-02T00:00:00Z')));
      const draft = alertsFor(s, '2026-11').find((d) => d.level === 'CRITICAL');
      const message = budgetAlertMessage(draft!, NOVEMBER, at('2026-11-02T00:00:00Z'));
      expect(budgetAlertSchema.parse(message)).toMatchObject({
        budgetDisplayName: 'Governor STORAGE monthly budget',
        alertThresholdExceeded: 0.95,
        costAmount: 19,
        costIntervalStart: '2026-11-01T00:00:00.000Z',
        budgetAmount: 20,
        budgetAmountType: 'SPECIFIED_AMOUNT',
        currencyCode: 'USD',
        category: 'STORAGE',
        severity: 'CRITICAL',
        throttle: 'throttled',
        period: '2026-11',
      });
      expect(message).not.toHaveProperty('forecastThresholdExceeded');
    });
  });
});
