import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { scopedBudgetsOf } from '../../../shared/budget/budget-config';
import { windowOf } from '../../../shared/budget/budget-window';
import { counterKeyOf, type BudgetInstance, type ScopedBudget } from '../../../shared/budget/scoped-budget';
import { evaluateScoped, scopedAlertsFor, stepIndexOf, scopedCountersToEvaluate, type ScopedGateOptions, type ScopedState } from '../../../shared/budget/scoped-evaluation';
import { SpendView } from '../../../shared/budget/spend-view';
import { throttleRank, type ThrottleLevel } from '../../../shared/budget/thresholds';
import type { BudgetAlert } from '../../../shared/contracts/budget-alert';
import { COLLECTIONS } from '../../../shared/basics/collections';
import type { Logger } from '../../../shared/logging/logger';
import type { LoadedBudgetConfig } from '../../../shared/store/budget-config-store';
import { applyScopeFlags, flaggedScopeInstances, type ScopeFlag } from '../../../shared/store/scope-flags-store';
import { readScopeTotals, type ScopeIncrement } from '../../../shared/store/scope-spend';

export interface ScopedEnforcerDeps {
  db: Firestore;
  config: () => Promise<LoadedBudgetConfig>;
  invalidateConfig?: () => void;
  /** The fleet enforcer's alert outbox: exactly-once raise and publish, shared by both kinds of budget. */
  alerts: { isAlertKnown(alertId: string): boolean; raiseAll(alerts: readonly BudgetAlert[], now: Date): Promise<void> };
  now: () => Date;
  log: Logger;
  countReads?: (kind: 'scope-totals' | 'scope-flags' | 'scope-tick', reads: number) => void;
  gate?: Partial<ScopedGateOptions>;
}

/** How far back the budget tick looks for counters written to (a little over its minute). */
const TICK_LOOKBACK_MILLISECONDS = 150_000;

/**
 * Enforces the scoped budgets (per agent, team, tenant, tag, model; by hour, day, week, month):
 * the same gate, flags and exactly-once alerts as the fleet's budgets (BudgetEnforcer), per
 * (budget, scope instance, window) counter. What this instance committed and last read of each
 * counter decides whether a read is needed; the levels and alerts come from the read.
 */
export class ScopedBudgetEnforcer {
  private readonly view = new SpendView<string>();
  /** Level this instance saw stored per counter, and the config version it saw it under. */
  private readonly seen = new Map<string, { level: ThrottleLevel; step: number; version: number; windowEnd: number }>();
  /** When each counter this instance knows of ends (ms): ended ones are forgotten. */
  private readonly windowEnds = new Map<string, number>();
  private lastForget = 0;
  private readonly refreshes = new Map<string, BudgetInstance>();
  /** Counters whose background read is under way: events meanwhile do not ask for another. */
  private readonly reading = new Set<string>();
  private refreshing: Promise<void> | undefined;

  constructor(private readonly deps: ScopedEnforcerDeps) {}

  /** Spend this instance committed to scoped counters (call once the commit succeeded). */
  noteCommitted(increments: readonly ScopeIncrement[]): void {
    for (const inc of increments) {
      this.view.addOwnTo([inc.counterKey], inc.amountMicros);
      this.windowEnds.set(inc.counterKey, inc.windowEnd.getTime());
    }
    this.forgetEnded();
  }

  /** Drops what this instance keeps of ended windows (at most once a minute), so memory stays bounded. */
  private forgetEnded(): void {
    const now = this.deps.now().getTime();
    if (now - this.lastForget < 60_000) return;
    this.lastForget = now;
    const live = (key: string) => (this.windowEnds.get(key) ?? Number.POSITIVE_INFINITY) > now;
    this.view.forget(live);
    for (const key of [...this.windowEnds.keys()]) {
      if (live(key)) continue;
      this.windowEnds.delete(key);
      this.seen.delete(key);
    }
  }

  /** Evaluates the budget instances of a commit that its gate says may need it. */
  async enforceCommitted(instances: readonly BudgetInstance[]): Promise<void> {
    if (instances.length === 0) return;
    const loaded = await this.deps.config();
    const now = this.deps.now().getTime();
    const due = scopedCountersToEvaluate({
      instances,
      view: this.view,
      now,
      flagLevel: (key) => this.levelSeen(key, loaded.version, now),
      flagStep: (key) => this.stepSeen(key, loaded.version, now),
      alertKnown: (id) => this.deps.alerts.isAlertKnown(id),
      options: this.deps.gate,
    });
    this.refreshSoon(due.refresh);
    if (due.near.length > 0) await this.evaluate(due.near, loaded, false);
  }

  /**
   * Reads counters that are not near a threshold beside the events (not before their ack), all
   * asked for meanwhile in one batched read. A failure is logged: the next event or the budget
   * tick reads again.
   */
  private refreshSoon(instances: readonly BudgetInstance[]): void {
    for (const i of instances) {
      const key = counterKeyOf(i.budget.id, i.instance, i.window.id);
      // An agent's next events arrive while its first read is in flight: that read answers them too.
      if (!this.reading.has(key)) this.refreshes.set(key, i);
    }
    if (this.refreshing || this.refreshes.size === 0) return;
    this.refreshing = (async () => {
      while (this.refreshes.size > 0) {
        const batch = [...this.refreshes];
        this.refreshes.clear();
        for (const [key] of batch) this.reading.add(key);
        try {
          await this.evaluate(batch.map(([, i]) => i), await this.deps.config(), false);
        } finally {
          for (const [key] of batch) this.reading.delete(key);
        }
      }
    })()
      .catch((error: unknown) => this.deps.log.error({ err: error }, 'scoped budget refresh failed; the next event or the budget tick reads again'))
      .finally(() => (this.refreshing = undefined));
  }

  /** Resolves once the background reads asked for so far are done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }

  /** Evaluates some budget instances from a fresh read whatever the gate says (billing ingestion, which this instance did not note). */
  async enforceRecentOf(instances: readonly BudgetInstance[]): Promise<void> {
    if (instances.length === 0) return;
    await this.evaluate(instances, await this.deps.config(), false);
  }

  /**
   * Evaluates from fresh reads: every scope instance with a raised flag (a raised budget lowers it,
   * a removed one clears it) and every counter written lately — the budget tick and config changes.
   */
  async enforceRecent(): Promise<void> {
    const loaded = await this.deps.config();
    const now = this.deps.now();
    const budgets = new Map(scopedBudgetsOf(loaded.config).map((b) => [b.id, b]));
    const instances = new Map<string, BudgetInstance>();
    const add = (budget: ScopedBudget, instance: string) => {
      const window = windowOf(budget.window, budget.timezone, now);
      instances.set(counterKeyOf(budget.id, instance, window.id), { budget, instance, window });
    };
    const flagged = await flaggedScopeInstances(this.deps.db);
    this.countReads('scope-flags', Math.max(1, flagged.length));
    const clears: Promise<unknown>[] = [];
    for (const doc of flagged) {
      const removed: Record<string, Omit<ScopeFlag, 'configVersion'>> = {};
      for (const [budgetId, flag] of Object.entries(doc.budgets)) {
        const budget = budgets.get(budgetId);
        if (budget) add(budget, doc.scope);
        else if (flag.level !== 'none' || flag.step) removed[budgetId] = { ...flag, level: 'none', step: null, setAt: now.toISOString() };
      }
      // A budget removed from the config leaves no flag behind; an ended window clears by itself.
      if (Object.keys(removed).length > 0 || Object.values(doc.budgets).every((f) => f.windowEnd <= now.getTime())) {
        clears.push(applyScopeFlags(this.deps.db, doc.scope, removed, loaded.version, now.getTime()));
      }
    }
    const recent = await this.deps.db
      .collection(COLLECTIONS.scopeSpend)
      .where('updatedAt', '>=', Timestamp.fromMillis(now.getTime() - TICK_LOOKBACK_MILLISECONDS))
      .select('budgetId', 'scope', 'windowEnd')
      .get();
    this.countReads('scope-tick', Math.max(1, recent.size));
    for (const doc of recent.docs) {
      const budget = budgets.get(doc.get('budgetId') as string);
      if (budget && (doc.get('windowEnd') as Timestamp).toMillis() > now.getTime()) add(budget, doc.get('scope') as string);
    }
    await Promise.all([...clears, instances.size > 0 ? this.evaluate([...instances.values()], loaded, true) : undefined]);
  }

  /** Reads the counters, sets the flags of their scope instances and raises their due alerts. */
  private async evaluate(instances: readonly BudgetInstance[], loaded: LoadedBudgetConfig, force: boolean): Promise<void> {
    const keys = instances.map((i) => counterKeyOf(i.budget.id, i.instance, i.window.id));
    const ticket = this.view.beginRead(this.deps.now().getTime());
    const { totals, reads } = await readScopeTotals(this.deps.db, keys);
    this.countReads('scope-totals', reads);
    this.view.completeRead(ticket, totals);
    const now = this.deps.now();
    const states = instances.map((i) => evaluateScoped(i, totals[counterKeyOf(i.budget.id, i.instance, i.window.id)] ?? 0));
    const alerts = states.flatMap((s) => scopedAlertsFor(s, now)).filter((a) => !this.deps.alerts.isAlertKnown(a.alertId));
    for (const s of states) this.windowEnds.set(s.counterKey, s.window.end.getTime());
    await Promise.all([this.applyFlags(states, loaded.version, now, force), this.deps.alerts.raiseAll(alerts, now)]);
  }

  /**
   * One flag transaction per scope instance whose level must rise (as this instance saw it), or
   * for every instance when `force`d (a config change or the tick may have to lower a level).
   */
  private async applyFlags(states: readonly ScopedState[], version: number, now: Date, force: boolean): Promise<void> {
    const byInstance = new Map<string, ScopedState[]>();
    for (const s of states) byInstance.set(s.instance, [...(byInstance.get(s.instance) ?? []), s]);
    await Promise.all(
      [...byInstance].map(async ([instance, ofInstance]) => {
        const rises = (s: ScopedState) => throttleRank(s.throttle) > throttleRank(this.levelSeen(s.counterKey, version, now.getTime())) || stepIndexOf(s.step) > this.stepSeen(s.counterKey, version, now.getTime());
        const needed = force || ofInstance.some(rises);
        if (!needed) return;
        const desired = Object.fromEntries(
          ofInstance.map((s) => [
            s.budget.id,
            {
              level: s.throttle,
              budgetId: s.budget.id,
              windowId: s.window.id,
              windowEnd: s.window.end.getTime(),
              ...(s.budget.category ? { category: s.budget.category } : {}),
              ratio: s.ratio,
              spentMicros: s.spentMicros,
              budgetMicros: s.budget.amountMicros,
              setAt: now.toISOString(),
              step: s.step ?? null,
              shadow: s.budget.shadow === true,
            },
          ]),
        );
        const outcome = await applyScopeFlags(this.deps.db, instance, desired, version, now.getTime());
        this.countReads('scope-flags', 2);
        if (outcome.status === 'stale-config') {
          this.deps.invalidateConfig?.();
          return;
        }
        for (const s of ofInstance) this.seen.set(s.counterKey, { level: outcome.levels[s.budget.id] ?? 'none', step: outcome.steps[s.budget.id] ?? -1, version, windowEnd: s.window.end.getTime() });
        if (Object.keys(outcome.changes).length > 0) this.deps.log.info({ scope: instance, flags: outcome.changes }, 'scoped throttle flags changed');
      }),
    );
  }

  /** The level this instance saw stored for a counter under `version`; `none` when it saw none. */
  private levelSeen(counterKey: string, version: number, now: number): ThrottleLevel {
    const seen = this.seen.get(counterKey);
    return seen && seen.version === version && seen.windowEnd > now ? seen.level : 'none';
  }

  /** The ladder step index this instance saw stored for a counter under `version`; -1 when it saw none. */
  private stepSeen(counterKey: string, version: number, now: number): number {
    const seen = this.seen.get(counterKey);
    return seen && seen.version === version && seen.windowEnd > now ? seen.step : -1;
  }

  private countReads(kind: 'scope-totals' | 'scope-flags' | 'scope-tick', reads: number): void {
    this.deps.countReads?.(kind, reads);
  }
}
