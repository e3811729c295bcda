import type { Attribution } from '../contracts/attribution';
import type { AiUsage } from '../contracts/cost-event';
import type { CostCategory } from '../contracts/vocabulary';
import { periodOf, type Period } from '../basics/period';
import { calculateAiCost } from '../pricing/ai-cost';
import type { PriceTable } from '../pricing/price-table';
import { PRICE_TABLE } from '../pricing/price-data';
import { budgetAlertMessage } from './alert-message';
import { scopedBudgetsOf, TOTAL, type BudgetConfig, type BudgetKey } from './budget-config';
import { downgradedModel } from './degrade-ladder';
import { alertsFor, evaluateBudget } from './evaluate-budgets';
import { budgetInstancesFor, counterKeyOf } from './scoped-budget';
import { evaluateScoped, scopedAlertsFor, stepIndexOf, type ScopedState } from './scoped-evaluation';
import { throttleRank, type ThrottleLevel } from './thresholds';

/** One recorded cost, as the ledger holds it (spend-shards.ts writes one per event). */
export interface ReplayCost {
  eventId: string;
  at: Date;
  source: string;
  category: CostCategory;
  amountMicros: number;
  attribution?: Attribution;
  usage?: AiUsage;
}

/** Something the config would have done, at the event that caused it. */
export type ReplayMoment =
  | { kind: 'alert'; at: string; eventId: string; alertId: string; budget: string; scope: string; windowId: string; threshold: number; severity: string; costMicros: number; shadow: boolean }
  | { kind: 'flag'; at: string; eventId: string; budget: string; scope: string; windowId: string; level: ThrottleLevel; shadow: boolean }
  | { kind: 'step'; at: string; eventId: string; budget: string; scope: string; windowId: string; step: number; action: string; stepAt: number; shadow: boolean };

/** What the steps and blocks in force would have done to the calls that came after them. */
export interface ReplayEffects {
  blocked: { calls: number; micros: number };
  cacheOnly: { calls: number; micros: number };
  /** Calls whose model a downgrade step maps; `savedMicros` = their spend less the same usage priced as the downgrade. */
  downgraded: { calls: number; micros: number; savedMicros: number };
}

export interface ReplayResult {
  events: number;
  spentMicros: number;
  moments: ReplayMoment[];
  effects: ReplayEffects;
}

/**
 * Replays recorded spend, in time order, through a budget config with the live path's own rules
 * (evaluateScoped, scopedAlertsFor, evaluateBudget, alertsFor, the ladder): when each alert,
 * flag and ladder step would have happened, and the calls that a block, cache-only or downgrade
 * in force would have met. Every recorded cost still counts (what really happened is replayed,
 * not a world where the blocked calls were never made). Forecast alerts are left out: they depend
 * on when an evaluation runs, not on the spend alone.
 */
export class SpendReplay {
  private readonly scopedSpend = new Map<string, number>();
  private readonly periodSpend = new Map<string, Partial<Record<BudgetKey, number>>>();
  private readonly states = new Map<string, { level: ThrottleLevel; step: number; state: ScopedState }>();
  private readonly fleetLevels = new Map<string, ThrottleLevel>();
  private readonly alerted = new Set<string>();
  private readonly result: ReplayResult = { events: 0, spentMicros: 0, moments: [], effects: { blocked: { calls: 0, micros: 0 }, cacheOnly: { calls: 0, micros: 0 }, downgraded: { calls: 0, micros: 0, savedMicros: 0 } } };

  constructor(
    private readonly config: BudgetConfig,
    private readonly priceTable: PriceTable = PRICE_TABLE,
  ) {}

  /** Adds the next cost (costs must come in time order). */
  add(cost: ReplayCost): void {
    const at = cost.at.toISOString();
    const subject = { source: cost.source, attribution: cost.attribution, model: cost.usage?.model };
    const instances = budgetInstancesFor(scopedBudgetsOf(this.config), subject, cost.category, cost.at);
    this.countEffects(cost, instances.map((i) => this.states.get(counterKeyOf(i.budget.id, i.instance, i.window.id))).filter((s) => s !== undefined), this.fleetLevelOf(cost));
    this.result.events += 1;
    this.result.spentMicros += cost.amountMicros;
    for (const inst of instances) {
      const key = counterKeyOf(inst.budget.id, inst.instance, inst.window.id);
      const spent = (this.scopedSpend.get(key) ?? 0) + cost.amountMicros;
      this.scopedSpend.set(key, spent);
      const state = evaluateScoped(inst, spent);
      const before = this.states.get(key);
      const base = { at, eventId: cost.eventId, budget: inst.budget.id, scope: inst.instance, windowId: inst.window.id, shadow: inst.budget.shadow === true };
      for (const alert of scopedAlertsFor(state, cost.at)) {
        if (this.alerted.has(alert.alertId)) continue;
        this.alerted.add(alert.alertId);
        this.result.moments.push({ kind: 'alert', ...base, alertId: alert.alertId, threshold: alert.alertThresholdExceeded ?? 0, severity: alert.severity, costMicros: spent });
      }
      if (throttleRank(state.throttle) > throttleRank(before?.level ?? 'none')) this.result.moments.push({ kind: 'flag', ...base, level: state.throttle });
      if (state.step && stepIndexOf(state.step) > (before?.step ?? -1)) this.result.moments.push({ kind: 'step', ...base, step: state.step.index, action: state.step.action, stepAt: state.step.at, shadow: state.step.shadow });
      this.states.set(key, { level: state.throttle, step: stepIndexOf(state.step), state });
    }
    this.addFleet(cost, at);
  }

  finish(): ReplayResult {
    return this.result;
  }

  /** The fleet's monthly category and total budgets: alerts and flags as BudgetEnforcer decides them. */
  private addFleet(cost: ReplayCost, at: string): void {
    const period = periodOf(cost.at);
    const spent = this.periodSpend.get(period.id) ?? {};
    spent[cost.category] = (spent[cost.category] ?? 0) + cost.amountMicros;
    spent[TOTAL] = (spent[TOTAL] ?? 0) + cost.amountMicros;
    this.periodSpend.set(period.id, spent);
    for (const key of [cost.category, TOTAL] as const) {
      const state = evaluateBudget(key, { config: this.config, period, now: cost.at, dataStart: undefined, spentMicros: spent });
      const base = { at, eventId: cost.eventId, budget: key, scope: 'fleet', windowId: period.id, shadow: false };
      for (const draft of alertsFor(state, period.id).filter((d) => d.kind === 'budget')) {
        if (this.alerted.has(draft.alertId)) continue;
        this.alerted.add(draft.alertId);
        const alert = budgetAlertMessage(draft, period, cost.at);
        this.result.moments.push({ kind: 'alert', ...base, alertId: alert.alertId, threshold: draft.threshold, severity: alert.severity, costMicros: state.spentMicros });
      }
      const levelKey = `${period.id}|${key}`;
      if (throttleRank(state.throttle) > throttleRank(this.fleetLevels.get(levelKey) ?? 'none')) {
        this.fleetLevels.set(levelKey, state.throttle);
        this.result.moments.push({ kind: 'flag', ...base, level: state.throttle });
      }
    }
  }

  private fleetLevelOf(cost: ReplayCost): ThrottleLevel {
    const period: Period = periodOf(cost.at);
    const levels = [cost.category, TOTAL].map((k) => this.fleetLevels.get(`${period.id}|${k}`) ?? 'none');
    return levels.reduce((a, b) => (throttleRank(b) > throttleRank(a) ? b : a), 'none' as ThrottleLevel);
  }

  /** What the flags and steps in force before this cost would have done to its call. */
  private countEffects(cost: ReplayCost, before: readonly { level: ThrottleLevel; state: ScopedState }[], fleet: ThrottleLevel): void {
    const e = this.result.effects;
    const inWindow = before.filter((b) => b.state.window.end.getTime() > cost.at.getTime());
    const steps = inWindow.flatMap((b) => (b.state.step ? [b.state.step] : []));
    if (fleet === 'blocked' || inWindow.some((b) => b.level === 'blocked') || steps.some((s) => s.blocked)) {
      e.blocked.calls += 1;
      e.blocked.micros += cost.amountMicros;
      return;
    }
    if (steps.some((s) => s.cacheOnly)) {
      e.cacheOnly.calls += 1;
      e.cacheOnly.micros += cost.amountMicros;
      return;
    }
    const model = cost.usage?.model;
    const downgrade = model ? downgradedModel(model, steps.flatMap((s) => s.downgrades)) : undefined;
    if (!cost.usage || !downgrade || downgrade === model) return;
    e.downgraded.calls += 1;
    e.downgraded.micros += cost.amountMicros;
    try {
      e.downgraded.savedMicros += Math.max(0, cost.amountMicros - calculateAiCost(this.priceTable, { ...cost.usage, model: downgrade }, cost.at).amountMicros);
    } catch {
      // The downgrade has no price on that date: its saving is not counted (ladders refuse unpriced maps when set).
    }
  }
}

/** Replays costs (in time order) through a config. */
export function replaySpend(config: BudgetConfig, costs: Iterable<ReplayCost>, priceTable: PriceTable = PRICE_TABLE): ReplayResult {
  const replay = new SpendReplay(config, priceTable);
  for (const cost of costs) replay.add(cost);
  return replay.finish();
}
