import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig } from '../../../shared/budget/budget-config';
import { budgetModeOf, hardBudgetsFor } from '../../../shared/budget/budget-mode';
import { OptionsError } from '../../../shared/contracts/validation-error';

describe('budget mode', () => {
  describe('parseBudgetConfig', () => {
    it('keeps every budget soft when budgetMode is absent (stored configs from before stay valid)', () => {
      const config = parseBudgetConfig(DEFAULT_BUDGET_CONFIG);
      expect(budgetModeOf(config, 'AI_API_CALLS')).toBe('soft');
      expect(budgetModeOf(config, 'TOTAL')).toBe('soft');
    });

    it('accepts hard budgets per category and for the total', () => {
      const config = parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, budgetMode: { AI_API_CALLS: 'hard', TOTAL: 'hard', STORAGE: 'soft' } });
      expect(budgetModeOf(config, 'AI_API_CALLS')).toBe('hard');
      expect(budgetModeOf(config, 'STORAGE')).toBe('soft');
    });

    it('refuses an unknown mode or budget, naming the field', () => {
      expect(() => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, budgetMode: { AI_API_CALLS: 'strict' } })).toThrow(OptionsError);
      expect(() => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, budgetMode: { AI_API_CALLS: 'strict' } })).toThrow(/budgetMode\.AI_API_CALLS/);
      expect(() => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, budgetMode: { TEA: 'hard' } })).toThrow(/budgetMode/);
    });
  });

  describe('hardBudgetsFor', () => {
    it("lists the hard budgets a category's spend counts against: its own and the total's", () => {
      const config = parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, budgetMode: { AI_API_CALLS: 'hard', TOTAL: 'hard' } });
      expect(hardBudgetsFor(config, 'AI_API_CALLS')).toEqual(['AI_API_CALLS', 'TOTAL']);
      expect(hardBudgetsFor(config, 'STORAGE')).toEqual(['TOTAL']);
      expect(hardBudgetsFor(DEFAULT_BUDGET_CONFIG, 'STORAGE')).toEqual([]);
    });
  });
});
