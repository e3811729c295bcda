import type { BudgetConfig, BudgetKey } from './budget-config';
import { budgetMicrosOf } from './budget-config';
import { alertsFor, evaluateBudget } from './evaluate-budgets';
import type { Period } from '../basics/period';
import type { PeriodSpendView } from './spend-view';
import { throttleRank, type ThrottleLevel } from './thresholds';

export const EVALUATION_GATE_DEFAULTS = {
  // Oldest read an instance decides from. A crossing only others' spend caused is seen within
  // this (plus one evaluation) — half the 500 ms a flag may take to reach agents (P3). Costs at
  // most two aggregation reads per this interval per busy instance and period.
  maxReadAgeMilliseconds: 250,
  // Spend others may have added unseen, as a share of each budget, at the least…
  marginRatio: 0.01,
  // …and as this many read intervals at the foreign spend rate seen between the last two reads.
  foreignRateFactor: 2,
} as const;

export type GateOptions = { [K in keyof typeof EVALUATION_GATE_DEFAULTS]: number };

export interface GateInput {
  config: BudgetConfig;
  period: Period;
  now: Date;
  dataStart: Date | undefined;
  keys: readonly BudgetKey[];
  view: PeriodSpendView;
  /** The flag level this instance saw stored under the config in force; undefined when unknown. */
  flagLevel: (key: BudgetKey) => ThrottleLevel | undefined;
  /** Whether an alert id is known to be raised and published. */
  alertKnown: (alertId: string) => boolean;
  options?: Partial<GateOptions>;
}

export type GateDecision =
  /** `stale-read`: this commit needs nothing, but the read is too old to vouch for others' spend. */
  | { evaluate: true; reason: 'unread' | 'stale-read' | 'flags-unknown' | 'near-threshold' }
  /** Nothing to do; `refreshBy` (ms) is when the oldest read used here goes stale. */
  | { evaluate: false; refreshBy: number };

/**
 * Whether a commit's budgets need an evaluation (a fresh aggregation read, alerts, the flag
 * transaction) or nothing can have changed. Why skipping is safe:
 *
 * 1. Nothing is decided from the estimate. A flag level or an alert only ever comes from a fresh
 *    read (BudgetEnforcer), as before; the estimate only decides whether to read. An overestimate
 *    costs a read, never a wrong flag or an early alert.
 * 2. The estimate (last read + own commits since it was issued) is at least the spend of every
 *    commit acknowledged before the read plus every commit of this instance; it misses only
 *    others' commits since the read was issued. With one writer it is never below the truth, so
 *    a crossing by this instance's commit is always evaluated at once.
 * 3. Others' unseen spend is covered by a margin — max(1 % of the budget, 2 × the foreign spend
 *    rate seen over the last read interval × the read bound) — so a crossing by another instance
 *    at a steady rate is evaluated at once too. A burst the margin does not cover is not missed:
 *    a read older than `maxReadAgeMilliseconds` forces an evaluation, and an instance that skipped
 *    re-checks at `refreshBy` even without further events (budget-enforcement.ts). A commit that
 *    only finds the read stale need not wait for the refresh another request already started: its
 *    own spend is in the estimate, and the refresh in flight covers others' spend up to its issue.
 *    Worst case a crossing caused only by others is acted on within the bound plus one evaluation
 *    — and an instance decides from a fresh read at once whenever its margin covers the crossing.
 *    (A commit whose acknowledgement was lost counts as others' spend: its redelivery is a duplicate.)
 * 4. A skip needs the flag level this instance saw under the config in force; a level seen under
 *    that config only rises (throttle-flags-store.ts), so skipping when the level the spend calls
 *    for is not above it writes nothing the transaction would have written. A config change makes
 *    the level unknown, so the next commit evaluates (and lowers flags for a raised budget).
 * 5. A due alert that is not known to be published forces an evaluation, so a failed publish is
 *    retried by the next commit as before.
 */
export function gateEvaluation(input: GateInput): GateDecision {
  const o: GateOptions = { ...EVALUATION_GATE_DEFAULTS, ...input.options };
  let oldestRead = Number.POSITIVE_INFINITY;
  for (const key of input.keys) {
    const estimate = input.view.estimateMicros(key);
    const issuedAt = input.view.readIssuedAt(key);
    if (estimate === undefined || issuedAt === undefined) return { evaluate: true, reason: 'unread' };
    const level = input.flagLevel(key);
    if (level === undefined) return { evaluate: true, reason: 'flags-unknown' };
    const margin = Math.max(o.marginRatio * budgetMicrosOf(input.config, key), o.foreignRateFactor * input.view.foreignRate(key) * o.maxReadAgeMilliseconds);
    const state = evaluateBudget(key, { config: input.config, period: input.period, now: input.now, dataStart: input.dataStart, spentMicros: { [key]: Math.ceil(estimate + margin) } });
    if (throttleRank(state.throttle) > throttleRank(level)) return { evaluate: true, reason: 'near-threshold' };
    if (alertsFor(state, input.period.id).some((d) => !input.alertKnown(d.alertId))) return { evaluate: true, reason: 'near-threshold' };
    oldestRead = Math.min(oldestRead, issuedAt);
  }
  // Only others' spend is left unaccounted for: a read this old is refreshed (a caller may let one
  // refresh in flight stand for all — this commit's own spend needs none).
  if (input.now.getTime() - oldestRead >= o.maxReadAgeMilliseconds) return { evaluate: true, reason: 'stale-read' };
  return { evaluate: false, refreshBy: oldestRead + o.maxReadAgeMilliseconds };
}
