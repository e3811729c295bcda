import type { BudgetAlert } from '../contracts/budget-alert';
import { periodOf } from '../basics/period';
import { ratioOf } from './evaluate-budgets';
import { counterKeyOf, type BudgetInstance } from './scoped-budget';
import { BUDGET_THRESHOLDS, throttleRank, type Threshold, type ThrottleLevel } from './thresholds';
import type { SpendView } from './spend-view';
import { ladderStepAt, type StepEffect } from './degrade-ladder';

/** A scoped budget instance's state in its window: the same thresholds as the fleet's budgets. */
export interface ScopedState extends BudgetInstance {
  counterKey: string;
  spentMicros: number;
  ratio: number;
  crossed: readonly Threshold[];
  throttle: ThrottleLevel;
  /** The ladder step in force, if the budget has a ladder and the spend reached its first step. */
  step: StepEffect | undefined;
}

export function evaluateScoped(instance: BudgetInstance, spentMicros: number): ScopedState {
  const ratio = ratioOf(spentMicros, instance.budget.amountMicros);
  const crossed = BUDGET_THRESHOLDS.filter((t) => ratio >= t.ratio);
  const step = ladderStepAt(instance.budget.ladder, ratio, instance.budget.shadow === true);
  return { ...instance, counterKey: counterKeyOf(instance.budget.id, instance.instance, instance.window.id), spentMicros, ratio, crossed, throttle: crossed.at(-1)?.throttle ?? 'none', step };
}

/** The index of a state's step in force, -1 below the first step (or without a ladder). */
export function stepIndexOf(step: { index: number } | null | undefined): number {
  return step ? step.index : -1;
}

/**
 * One alert id per (budget, scope instance, window, threshold), whatever raises it; the scope
 * instance is URI-encoded (an agent id may hold `/`, which a document id may not).
 */
export function scopedAlertIdOf(budgetId: string, instance: string, windowId: string, threshold: number): string {
  return `budget_${budgetId}_${encodeURIComponent(instance)}_${windowId}_${Math.round(threshold * 100)}`;
}

const WINDOW_NAMES = { hour: 'hourly', day: 'daily', week: 'weekly', month: 'monthly' } as const;

/** The alerts a state calls for, as alerts-topic messages (Cloud Billing's fields plus scope and window). */
export function scopedAlertsFor(state: ScopedState, raisedAt: Date): BudgetAlert[] {
  const { budget, instance, window } = state;
  return state.crossed.map((t) => ({
    schemaVersion: 1,
    alertId: scopedAlertIdOf(budget.id, instance, window.id, t.ratio),
    kind: 'budget',
    severity: t.level,
    category: budget.category ?? 'TOTAL',
    period: periodOf(window.start).id,
    raisedAt: raisedAt.toISOString(),
    throttle: t.throttle,
    costMicros: state.spentMicros,
    budgetMicros: budget.amountMicros,
    budgetDisplayName: `Governor ${instance} ${WINDOW_NAMES[budget.window]} budget ${budget.id}`,
    alertThresholdExceeded: t.ratio,
    costAmount: state.spentMicros / 1_000_000,
    costIntervalStart: window.start.toISOString(),
    budgetAmount: budget.amountMicros / 1_000_000,
    budgetAmountType: 'SPECIFIED_AMOUNT',
    currencyCode: 'USD',
    budgetId: budget.id,
    scope: instance,
    window: budget.window,
    windowId: window.id,
    windowEnd: window.end.toISOString(),
    ...(budget.shadow ? { shadow: true } : {}),
  }));
}

export const SCOPED_GATE_DEFAULTS = {
  // Oldest read of a scope instance's counter an instance decides from. Longer than the fleet's
  // 250 ms: there are thousands of scope instances, and reads must stay bounded by time per
  // instance (P7: ≤ 0.5 per event). A crossing by this instance's own commit needs no fresh read.
  maxReadAgeMilliseconds: 2_000,
  // A counter whose estimate is below this share of its budget is re-read only every
  // `farMaxReadAgeMilliseconds`: others would have to spend the rest up to the first threshold
  // (30 % of the budget) unseen to cross it, and the budget tick reads every minute anyway. This
  // keeps reads per event low for thousands of quiet agents, each with its own counter.
  nearRatio: 0.5,
  farMaxReadAgeMilliseconds: 60_000,
  marginRatio: 0.01,
  foreignRateFactor: 2,
} as const;
export type ScopedGateOptions = { [K in keyof typeof SCOPED_GATE_DEFAULTS]: number };

export interface ScopedGateInput {
  instances: readonly BudgetInstance[];
  view: SpendView<string>;
  now: number;
  /** The level this instance saw stored under the config in force ('none' when it saw none). */
  flagLevel: (counterKey: string) => ThrottleLevel;
  /** The ladder step index this instance saw stored under the config in force (-1: none; absent: ladders not followed). */
  flagStep?: (counterKey: string) => number;
  alertKnown: (alertId: string) => boolean;
  options?: Partial<ScopedGateOptions>;
}

/** Why a counter needs reading: `near` before the event is acked; `refresh` may run beside it. */
export interface ScopedGateDecision {
  /** Near a threshold whose flag or alert is not done (by the estimate): evaluate before acking. */
  near: BudgetInstance[];
  /** Never read here, or read too long ago, and not near by what this instance knows: read soon. */
  refresh: BudgetInstance[];
}

/**
 * The counters of a commit's scoped budget instances that need an evaluation, by the argument of
 * evaluation-gate.ts: the estimate (last read + own commits + a margin for others' unseen spend)
 * only decides whether to read; flags and alerts come from the read. A counter this instance never
 * read is estimated from its own commits alone (a lower bound): when those reach a threshold it is
 * `near` and read before the ack; otherwise its read is a `refresh` that need not hold the event
 * back — others' spend on it is seen by that read moments later, and by the budget tick at the latest.
 */
export function scopedCountersToEvaluate(input: ScopedGateInput): ScopedGateDecision {
  const o: ScopedGateOptions = { ...SCOPED_GATE_DEFAULTS, ...input.options };
  const decision: ScopedGateDecision = { near: [], refresh: [] };
  for (const inst of input.instances) {
    const key = counterKeyOf(inst.budget.id, inst.instance, inst.window.id);
    const issuedAt = input.view.readIssuedAt(key);
    const estimate = input.view.estimateMicros(key) ?? input.view.ownMicros(key);
    const margin = Math.max(o.marginRatio * inst.budget.amountMicros, o.foreignRateFactor * input.view.foreignRate(key) * o.maxReadAgeMilliseconds);
    const state = evaluateScoped(inst, Math.ceil(estimate + margin));
    const stepRises = input.flagStep !== undefined && stepIndexOf(state.step) > input.flagStep(key);
    if (stepRises || throttleRank(state.throttle) > throttleRank(input.flagLevel(key)) || state.crossed.some((t) => !input.alertKnown(scopedAlertIdOf(inst.budget.id, inst.instance, inst.window.id, t.ratio)))) {
      decision.near.push(inst);
      continue;
    }
    if (issuedAt === undefined) {
      decision.refresh.push(inst);
      continue;
    }
    const maxAge = state.ratio >= o.nearRatio ? o.maxReadAgeMilliseconds : o.farMaxReadAgeMilliseconds;
    if (input.now - issuedAt >= maxAge) decision.refresh.push(inst);
  }
  return decision;
}
