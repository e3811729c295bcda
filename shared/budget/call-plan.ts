import { downgradedModel, type StepEffect } from './degrade-ladder';
import type { ThrottleLevel } from './thresholds';

/**
 * What an agent's next call may do under the budgets that apply to it (ThrottleReader.plan): the
 * model to call, whether to answer from the cache only or prefer it, whether it is blocked — and
 * which budget said so. Decided from flags in memory; the response cache and the Gemini wrapper obey it.
 */
export interface CallPlan {
  /** The model to call: the asked one, or its downgrade. */
  model: string;
  /** Answer from the cache or not at all. */
  cacheOnly: boolean;
  /** Take any cached answer (a looser semantic match) before calling. */
  preferCache: boolean;
  blocked: boolean;
  /** In words: which budget, scope and step decided (`''` when nothing applies). */
  reason: string;
  /** The deciding budget's id and scope instance, when one decided. */
  budget?: string;
  scope?: string;
}

/** A plan that changes nothing (no ladder step, no block). */
export function unrestrictedPlan(model: string): CallPlan {
  return { model, cacheOnly: false, preferCache: false, blocked: false, reason: '' };
}

/** Asks for a call's plan (a ThrottleReader, or anything answering from memory). */
export interface CallPlanner {
  plan(call: { category: string; model: string }): CallPlan;
}

/** A call refused by its plan: blocked by a budget, or cache-only with no cached answer. */
export class PlanRefusedError extends Error {
  override readonly name = 'PlanRefusedError';
  constructor(
    readonly kind: 'blocked' | 'cache-only',
    readonly plan: CallPlan,
  ) {
    super(kind === 'blocked' ? `blocked by ${plan.reason || 'its budget'}: the call was not made` : `cache-only under ${plan.reason || 'its budget'}, and no cached answer: the call was not made`);
  }
}

/** One ladder step in force on a scope instance, as the reader holds it. */
export interface StepInForce {
  budget: string;
  scope: string;
  ratio: number;
  step: StepEffect;
}

/** The throttle level that applies, and the budget that set it (ThrottleReader.why). */
export interface LevelInForce {
  level: ThrottleLevel;
  budget: string;
  scope: string;
  ratio: number;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;

/**
 * A call's plan from the level and the ladder steps in force: the strictest of them. A `blocked`
 * level blocks whatever the ladders say; the model follows every downgrade in force; the reason
 * names the strictest deciding budget. Shadow steps must be left out by the caller.
 */
export function composePlan(model: string, level: LevelInForce, steps: readonly StepInForce[]): CallPlan {
  // A burn-rate breaker's pause outranks every budget: the agent makes no call at all.
  if (level.level === 'paused') return { model, cacheOnly: false, preferCache: false, blocked: true, reason: `${level.scope} paused by burn-rate breaker ${level.budget.replace(/^breaker:/, '')}`, budget: level.budget, scope: level.scope };
  if (level.level === 'blocked') return { model, cacheOnly: false, preferCache: false, blocked: true, reason: `budget ${level.budget} (${level.scope}) at ${percent(level.ratio)}: blocked`, budget: level.budget, scope: level.scope };
  if (steps.length === 0) return unrestrictedPlan(model);
  const rank = (s: StepEffect) => (s.blocked ? 3 : s.cacheOnly ? 2 : s.downgrades.length > 0 ? 1 : 0);
  const ordered = [...steps].sort((a, b) => rank(b.step) - rank(a.step) || b.ratio - a.ratio);
  const strictest = ordered[0]!;
  const downgrades = ordered.flatMap((s) => s.step.downgrades);
  return {
    model: downgradedModel(model, downgrades),
    cacheOnly: steps.some((s) => s.step.cacheOnly),
    preferCache: steps.some((s) => s.step.preferCache),
    blocked: steps.some((s) => s.step.blocked),
    reason: `budget ${strictest.budget} (${strictest.scope}) at ${percent(strictest.ratio)}: ladder step ${strictest.step.action} from ${percent(strictest.step.at)}`,
    budget: strictest.budget,
    scope: strictest.scope,
  };
}
