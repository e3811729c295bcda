import { composePlan, type StepInForce } from '../../../shared/budget/call-plan';
import { parseBudgetConfig, DEFAULT_BUDGET_CONFIG } from '../../../shared/budget/budget-config';
import { defaultDowngrades, describeLadder, downgradedModel, ladderInputOf, ladderSchema, ladderStepAt } from '../../../shared/budget/degrade-ladder';
import { scopedBudgetSchema } from '../../../shared/budget/scoped-budget';
import { evaluateScoped, scopedAlertsFor } from '../../../shared/budget/scoped-evaluation';
import { windowOf } from '../../../shared/budget/budget-window';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { budgetAlertSchema } from '../../../shared/contracts/budget-alert';
import { renderAlertEmail } from '../../../shared/alerts/render-alert';

const ladder = ladderSchema.parse({ steps: [{ at: 0.5, action: 'prefer-cache' }, { at: 0.8, action: 'downgrade' }, { at: 0.95, action: 'cache-only' }, { at: 1, action: 'block' }] });

describe('degrade ladder', () => {
  describe('ladderSchema', () => {
    const issues = (value: unknown) => {
      try {
        parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, scoped: [{ id: 'a', scope: 'agent:*', window: 'day', amountMicros: 1_000_000, ladder: value }] });
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(OptionsError);
        return (error as Error).message;
      }
    };

    it('is off by default: a budget without one has none, and no step at any spend', () => {
      const budget = scopedBudgetSchema.parse({ id: 'a', scope: 'agent:*', window: 'day', amountMicros: 1_000_000 });
      expect(budget.ladder).toBeUndefined();
      expect(ladderStepAt(budget.ladder, 5)).toBeUndefined();
    });

    it('refuses steps that do not climb, naming the field', () => {
      expect(issues({ steps: [{ at: 0.8, action: 'downgrade' }, { at: 0.5, action: 'block' }] })).toBe("scoped.0.ladder.steps.1.at: must be above the previous step's 0.8 (steps climb)");
      expect(issues({ steps: [{ at: 0, action: 'block' }] })).toMatch(/^scoped\.0\.ladder\.steps\.0\.at: /);
    });

    it('refuses an unknown action and a map on a step that is not a downgrade', () => {
      expect(issues({ steps: [{ at: 0.5, action: 'slow-down' }] })).toMatch(/^scoped\.0\.ladder\.steps\.0\.action: Invalid option: expected one of "prefer-cache"\|"downgrade"\|"cache-only"\|"block"/);
      expect(issues({ steps: [{ at: 0.5, action: 'block', models: { 'gemini-2.5-pro': 'gemini-2.5-flash' } }] })).toBe('scoped.0.ladder.steps.0.models: only a downgrade step has models (this one is block)');
    });

    it('refuses a map to or from a model without a price', () => {
      expect(issues({ steps: [{ at: 0.8, action: 'downgrade', models: { 'gemini-2.5-pro': 'gemini-9-nano' } }] })).toBe('scoped.0.ladder.steps.0.models.gemini-2.5-pro: gemini-9-nano has no price in the price table (governor prices list): a downgrade must be priced');
    });

    it('parses the CLI short form, maps included', () => {
      expect(ladderSchema.parse(ladderInputOf('0.5:prefer-cache,0.8:downgrade=gemini-2.5-pro>gemini-2.5-flash+gemini-2.5-flash>gemini-2.5-flash-lite,1:block', true))).toEqual({
        steps: [{ at: 0.5, action: 'prefer-cache' }, { at: 0.8, action: 'downgrade', models: { 'gemini-2.5-pro': 'gemini-2.5-flash', 'gemini-2.5-flash': 'gemini-2.5-flash-lite' } }, { at: 1, action: 'block' }],
        shadow: true,
      });
      expect(describeLadder(ladder)).toBe('50 % prefer-cache, 80 % downgrade, 95 % cache-only, 100 % block');
    });
  });

  describe('ladderStepAt', () => {
    it('is the highest step reached, with every milder step still in force', () => {
      expect(ladderStepAt(ladder, 0.49)).toBeUndefined();
      expect(ladderStepAt(ladder, 0.5)).toMatchObject({ index: 0, action: 'prefer-cache', preferCache: true, cacheOnly: false, blocked: false, downgrades: [] });
      const downgrade = ladderStepAt(ladder, 0.9)!;
      expect(downgrade).toMatchObject({ index: 1, action: 'downgrade', preferCache: true, cacheOnly: false, blocked: false, shadow: false });
      expect(downgrade.downgrades).toContainEqual({ from: 'gemini-2.5-pro', to: 'gemini-2.5-flash' });
      expect(ladderStepAt(ladder, 0.97)).toMatchObject({ action: 'cache-only', cacheOnly: true, blocked: false });
      expect(ladderStepAt(ladder, 1.4)).toMatchObject({ index: 3, action: 'block', blocked: true, cacheOnly: true });
      expect(ladderStepAt(ladder, 0.9, true)?.shadow).toBe(true);
    });

    it('defaults the downgrades to the cheaper model of the same generation in the price table', () => {
      expect(defaultDowngrades()).toMatchObject({ 'gemini-2.5-pro': 'gemini-2.5-flash', 'gemini-2.5-flash': 'gemini-2.5-flash-lite', 'gemini-3-pro-preview': 'gemini-3-flash-preview' });
      expect(downgradedModel('gemini-2.5-pro', [{ from: 'gemini-2.5-pro', to: 'gemini-2.5-flash' }])).toBe('gemini-2.5-flash');
      // One hop: a map says where each model goes.
      expect(downgradedModel('gemini-2.5-pro', [{ from: 'gemini-2.5-pro', to: 'gemini-2.5-flash' }, { from: 'gemini-2.5-flash', to: 'gemini-2.5-flash-lite' }])).toBe('gemini-2.5-flash');
      expect(downgradedModel('gemini-embedding-001', ladderStepAt(ladder, 0.9)!.downgrades)).toBe('gemini-embedding-001');
    });

    it('is evaluated with the budget: a shadow budget marks its step and its alerts shadow', () => {
      const budget = scopedBudgetSchema.parse({ id: 'a', scope: 'agent:*', window: 'day', amountMicros: 1_000_000, ladder: { steps: [{ at: 0.5, action: 'downgrade' }] }, shadow: true });
      const at = new Date('2026-11-10T12:00:00Z');
      const state = evaluateScoped({ budget, instance: 'agent:a', window: windowOf('day', 'UTC', at) }, 850_000);
      expect(state.step).toMatchObject({ index: 0, action: 'downgrade', shadow: true });
      const alerts = scopedAlertsFor(state, at);
      expect(alerts).toEqual([expect.objectContaining({ severity: 'WARNING', shadow: true })]);
      // Routed like any other alert; its subject says it enforced nothing.
      expect(budgetAlertSchema.parse(alerts[0])).toMatchObject({ shadow: true });
      const email = renderAlertEmail(alerts, at);
      expect(email.subject).toBe('[Governor WARNING] Shadow (not enforced): agent:a day budget a at 85.0% ($0.85 of $1.00) — threshold 80.0% crossed');
      expect(email.text).toContain('The budget is in shadow mode: no agent was throttled or blocked.');
    });
  });

  describe('composePlan', () => {
    const step = (budget: string, ratio: number, effect: ReturnType<typeof ladderStepAt>): StepInForce => ({ budget, scope: `agent:a`, ratio, step: effect! });
    const none = { level: 'none' as const, budget: 'TOTAL', scope: 'fleet', ratio: 0 };

    it('changes nothing without a step', () => {
      expect(composePlan('gemini-2.5-pro', none, [])).toEqual({ model: 'gemini-2.5-pro', cacheOnly: false, preferCache: false, blocked: false, reason: '' });
    });

    it('takes the strictest step and names its budget', () => {
      const plan = composePlan('gemini-2.5-pro', none, [step('agent-daily', 0.6, ladderStepAt(ladder, 0.6)), step('team-monthly', 0.85, ladderStepAt(ladder, 0.85))]);
      expect(plan).toEqual({ model: 'gemini-2.5-flash', cacheOnly: false, preferCache: true, blocked: false, reason: 'budget team-monthly (agent:a) at 85 %: ladder step downgrade from 80 %', budget: 'team-monthly', scope: 'agent:a' });
    });

    it('blocks on a blocked throttle level whatever the ladders say', () => {
      const plan = composePlan('gemini-2.5-pro', { level: 'blocked', budget: 'AI_API_CALLS', scope: 'fleet', ratio: 1.02 }, [step('agent-daily', 0.6, ladderStepAt(ladder, 0.6))]);
      expect(plan).toMatchObject({ blocked: true, model: 'gemini-2.5-pro', reason: 'budget AI_API_CALLS (fleet) at 102 %: blocked' });
    });

    it('blocks an agent paused by a burn-rate breaker, naming the breaker', () => {
      const plan = composePlan('gemini-2.5-pro', { level: 'paused', budget: 'breaker:per-agent', scope: 'agent:looper', ratio: 0 }, [step('agent-daily', 0.6, ladderStepAt(ladder, 0.6))]);
      expect(plan).toMatchObject({ blocked: true, model: 'gemini-2.5-pro', reason: 'agent:looper paused by burn-rate breaker per-agent', budget: 'breaker:per-agent' });
    });
  });
});
