import { DEFAULT_BUDGET_CONFIG, withBudget, type BudgetKey } from '../../../shared/budget/budget-config';
import { alertIdOf } from '../../../shared/budget/evaluate-budgets';
import { gateEvaluation, type GateInput } from '../../../shared/budget/evaluation-gate';
import { parsePeriodId } from '../../../shared/basics/period';
import { PeriodSpendView } from '../../../shared/budget/spend-view';
import type { ThrottleLevel } from '../../../shared/budget/thresholds';

const USD = 1_000_000;
const PERIOD = parsePeriodId('2026-11');
const T0 = Date.parse('2026-11-10T00:00:00Z');
// $10 of COMPUTE; the total stays far away at $250.
const CONFIG = withBudget(DEFAULT_BUDGET_CONFIG, 'COMPUTE', 10 * USD);
const KEYS: BudgetKey[] = ['COMPUTE', 'TOTAL'];

function viewAt(computeMicros: number, issuedAt = T0): PeriodSpendView {
  const view = new PeriodSpendView();
  view.completeRead(view.beginRead(issuedAt), { COMPUTE: computeMicros, TOTAL: computeMicros });
  return view;
}

function gate(view: PeriodSpendView, overrides: Partial<GateInput> = {}, levels: Partial<Record<BudgetKey, ThrottleLevel>> = { COMPUTE: 'none', TOTAL: 'none' }, known: string[] = []) {
  return gateEvaluation({
    config: CONFIG,
    period: PERIOD,
    now: new Date(T0 + 100),
    // An hour of history: too little for a forecast (72 h), which the forecast case sets itself.
    dataStart: new Date(T0 - 3_600_000),
    keys: KEYS,
    view,
    flagLevel: (key) => levels[key],
    alertKnown: (id) => known.includes(id),
    ...overrides,
  });
}

describe('gateEvaluation', () => {
  it('skips when no threshold is within the margin of the estimate, saying when the read goes stale', () => {
    expect(gate(viewAt(5 * USD))).toEqual({ evaluate: false, refreshBy: T0 + 250 });
  });

  it('evaluates once own commits bring the estimate within the margin of a threshold', () => {
    const view = viewAt(7.8 * USD);
    expect(gate(view)).toMatchObject({ evaluate: false });
    // The margin is 1 % of the $10 budget: $7.89 + $0.10 stays below 80 %, $7.91 + $0.10 does not.
    view.addOwn('COMPUTE', 0.09 * USD);
    expect(gate(view)).toMatchObject({ evaluate: false });
    view.addOwn('COMPUTE', 0.02 * USD);
    expect(gate(view)).toEqual({ evaluate: true, reason: 'near-threshold' });
  });

  it("evaluates whenever own commits cross a threshold — with one writer the estimate is never below the truth", () => {
    const view = viewAt(9.4 * USD);
    view.addOwn('COMPUTE', 0.2 * USD);
    expect(gate(view, {}, { COMPUTE: 'none', TOTAL: 'none' }, [alertIdOf('budget', 'COMPUTE', PERIOD.id, 0.8)])).toEqual({ evaluate: true, reason: 'near-threshold' });
  });

  it('skips past a crossing already acted on: the flag seen is as high and its alerts are known', () => {
    const known = [alertIdOf('budget', 'COMPUTE', PERIOD.id, 0.8), alertIdOf('budget', 'COMPUTE', PERIOD.id, 0.95)];
    expect(gate(viewAt(9.6 * USD), {}, { COMPUTE: 'throttled', TOTAL: 'none' }, known)).toMatchObject({ evaluate: false });
    expect(gate(viewAt(9.6 * USD), {}, { COMPUTE: 'none', TOTAL: 'none' }, known)).toEqual({ evaluate: true, reason: 'near-threshold' });
    expect(gate(viewAt(9.6 * USD), {}, { COMPUTE: 'throttled', TOTAL: 'none' }, known.slice(0, 1))).toEqual({ evaluate: true, reason: 'near-threshold' });
  });

  it('widens the margin by the foreign spend rate seen between reads', () => {
    const view = viewAt(6 * USD, T0 - 1000);
    // Others added $1.5 in 1,000 ms: 1,500 µUSD/ms, a margin of 2 × 1,500 × 250 ms = $0.75 (past 80 %).
    view.completeRead(view.beginRead(T0), { COMPUTE: 7.5 * USD, TOTAL: 7.5 * USD });
    expect(view.foreignRate('COMPUTE')).toBe(1_500);
    expect(gate(view)).toEqual({ evaluate: true, reason: 'near-threshold' });
    expect(gate(viewAt(7.5 * USD))).toMatchObject({ evaluate: false });
  });

  it('asks for a fresh read once the read is older than the bound, and first of all without one', () => {
    expect(gate(viewAt(5 * USD), { now: new Date(T0 + 250) })).toEqual({ evaluate: true, reason: 'stale-read' });
    expect(gate(new PeriodSpendView())).toEqual({ evaluate: true, reason: 'unread' });
    expect(gate(viewAt(5 * USD), { options: { maxReadAgeMilliseconds: 50 } })).toEqual({ evaluate: true, reason: 'stale-read' });
  });

  it('evaluates while the flag level under the config in force is unknown (a new instance, a changed config)', () => {
    expect(gate(viewAt(5 * USD), {}, { COMPUTE: 'none' })).toEqual({ evaluate: true, reason: 'flags-unknown' });
  });

  it('prefers a reason that needs this commit evaluated over a stale read', () => {
    expect(gate(viewAt(9.9 * USD), { now: new Date(T0 + 1000) })).toEqual({ evaluate: true, reason: 'near-threshold' });
  });

  it('evaluates when a lowered budget puts the estimate past a threshold', () => {
    const lowered = withBudget(CONFIG, 'COMPUTE', 5 * USD);
    expect(gate(viewAt(5 * USD), { config: lowered })).toEqual({ evaluate: true, reason: 'near-threshold' });
  });

  it('evaluates when the forecast of the estimate passes the budget', () => {
    const history = { config: { ...CONFIG, forecast: { minHistoryHours: 1 } }, dataStart: PERIOD.start };
    // $4 in 9 days of a 30-day month forecasts ~$13 against $10.
    expect(gate(viewAt(4 * USD), history)).toEqual({ evaluate: true, reason: 'near-threshold' });
    expect(gate(viewAt(4 * USD), history, undefined, [alertIdOf('forecast', 'COMPUTE', PERIOD.id, 1)])).toMatchObject({ evaluate: false });
    expect(gate(viewAt(2 * USD), history)).toMatchObject({ evaluate: false });
  });
});
