import { BUDGET_KEYS, TOTAL, type BudgetConfig, type BudgetKey } from '../../../shared/budget/budget-config';
import type { CostCategory } from '../../../shared/contracts/vocabulary';
import type { Logger } from '../../../shared/logging/logger';
import { loadBudgetConfig } from '../../../shared/store/budget-config-store';
import { loadTopology } from '../../../shared/topology/topology';
import { firestore, pubsub } from '../clients';
import { Coalescer } from '../coalescer';
import type { ThroughputStats } from '../throughput-stats';
import { cachedConfig, type CachedConfig } from '../cached-config';
import { periodOf } from '../../../shared/basics/period';
import { budgetAlertPublisher, BudgetEnforcer } from './budget-enforcer';
import { ScopedBudgetEnforcer } from './scoped-enforcer';
import { counterKeyOf, type BudgetInstance } from '../../../shared/budget/scoped-budget';

/** How long into a period the tick still evaluates the previous one (late commits of its last events). */
const PREVIOUS_PERIOD_GRACE_MILLISECONDS = 3_600_000;

export interface BudgetEnforcement {
  /** Enforces the budgets of a category (and the total) in a period from a fresh read; resolves once done. */
  enforce: (periodId: string, category: CostCategory) => Promise<void>;
  /**
   * Enforces them after this instance committed spend of the category (told to `enforcer.noteCommitted`
   * first): evaluates only when the instance's view says something may be due (evaluation-gate.ts).
   */
  enforceCommitted: (periodId: string, category: CostCategory) => Promise<void>;
  /** The budget config in force (cached per instance). */
  config: () => Promise<BudgetConfig>;
  /**
   * Evaluates every budget of the current period (and of the previous one in a period's first
   * hour) from a fresh read of the config and the totals: the scheduled budget tick.
   */
  enforceCurrent: () => Promise<void>;
  /** The enforcer, for the outbox sweep of the minute tick. */
  enforcer: BudgetEnforcer;
  /** The scoped budgets' enforcer (per agent, team, tenant, tag, model; by hour, day, week, month). */
  scoped: ScopedBudgetEnforcer;
  /**
   * Enforces the scoped budget instances a committed event counts under (told to
   * `scoped.noteCommitted` first); evaluates only those its gate says may need it. Coalesced.
   */
  enforceScoped: (instances: readonly BudgetInstance[]) => Promise<void>;
}

/**
 * The budget rules as a function needs them. `enforce` evaluates after every call (coalesced
 * across concurrent requests); `enforceCommitted` evaluates only when the instance's view of the
 * spend says a flag or an alert may be due — and then before the message is acked.
 */
export function budgetEnforcement(log: Logger, stats?: ThroughputStats): BudgetEnforcement {
  const alertsTopic = loadTopology().topics.alerts;
  const config: CachedConfig<BudgetConfig> = cachedConfig(
    async () => {
      const loaded = await loadBudgetConfig(firestore());
      stats?.count('reads:config', 2);
      return loaded;
    },
    log,
    'budget config',
    // A gate that skipped under the old budgets saw the spend against amounts no longer in force:
    // every period this instance worked on is evaluated again under the new ones.
    { onChange: () => Promise.all([reevaluateKnownPeriods(), scoped.enforceRecent()]).then(() => undefined) },
  );
  const enforcer = new BudgetEnforcer({
    db: firestore(),
    config,
    invalidateConfig: () => config.invalidate(),
    publishAlert: budgetAlertPublisher(pubsub(), alertsTopic),
    now: () => new Date(),
    log,
    countReads: (kind, reads) => stats?.count(`reads:${kind}`, reads),
  });
  const scoped = new ScopedBudgetEnforcer({
    db: firestore(),
    config,
    invalidateConfig: () => config.invalidate(),
    alerts: enforcer,
    now: () => new Date(),
    log,
    countReads: (kind, reads) => stats?.count(`reads:${kind}`, reads),
  });
  // Scoped evaluations coalesced the same way: a run covers the counters asked for before it started.
  const scopedPending = new Map<string, BudgetInstance>();
  const scopedEvaluations = new Coalescer<string>(async (keys) => {
    const instances = [...keys].map((k) => scopedPending.get(k)).filter((i): i is BudgetInstance => i !== undefined);
    for (const k of keys) scopedPending.delete(k);
    await scoped.enforceCommitted(instances);
  });
  const enforceScoped = (instances: readonly BudgetInstance[]): Promise<void> => {
    if (instances.length === 0) return Promise.resolve();
    const keys = instances.map((i) => counterKeyOf(i.budget.id, i.instance, i.window.id));
    instances.forEach((i, n) => scopedPending.set(keys[n]!, i));
    return scopedEvaluations.request(keys);
  };

  // Evaluations coalesced across concurrent requests: a run covers every request made before it
  // started. `full|<period>|<key>`: the named budgets (enforce); `all|<period>`: every budget of
  // the period after a gate asked for it (enforceCommitted).
  const evaluations = new Coalescer<string>(async (keys) => {
    const full = new Map<string, Set<BudgetKey>>();
    const all = new Set<string>();
    for (const key of keys) {
      const [mode, periodId, budgetKey] = key.split('|') as ['full' | 'all', string, BudgetKey | undefined];
      if (mode === 'all') all.add(periodId);
      else full.set(periodId, (full.get(periodId) ?? new Set<BudgetKey>()).add(budgetKey as BudgetKey));
    }
    const run = () =>
      Promise.all([
        ...[...all].map((periodId) => enforcer.enforceAll(periodId)),
        ...[...full].filter(([periodId]) => !all.has(periodId)).map(([periodId, budgetKeys]) => enforcer.enforce(periodId, [...budgetKeys])),
      ]);
    await (stats ? stats.time('evaluation', keys.size, run) : run());
  });
  const evaluateAll = (periodId: string): Promise<void> => evaluations.request([`all|${periodId}`]);
  const reevaluateKnownPeriods = async (): Promise<void> => {
    await Promise.all([...new Set([...enforcer.knownPeriods(), periodOf(new Date()).id])].map(evaluateAll));
  };

  // A period whose last gate skipped: one re-check once its read goes stale, so a crossing only
  // others' spend caused is seen within the read bound even when no further event comes.
  const rechecks = new Map<string, NodeJS.Timeout>();
  const scheduleRecheck = (periodId: string, refreshBy: number) => {
    if (rechecks.has(periodId) || !Number.isFinite(refreshBy)) return;
    const timer = setTimeout(() => {
      rechecks.delete(periodId);
      // Only if nobody refreshed the reads since (events that keep coming refresh them); every
      // budget, as a near-threshold evaluation refreshes only its own.
      const recheck = async () => {
        const decision = await enforcer.gate(periodId, BUDGET_KEYS);
        if (decision.evaluate) await evaluateAll(periodId);
        else scheduleRecheck(periodId, decision.refreshBy);
      };
      recheck().catch((error: unknown) => log.error({ err: error, period: periodId }, 'budget re-check failed; the next event evaluates'));
    }, Math.max(0, refreshBy - Date.now()));
    timer.unref();
    rechecks.set(periodId, timer);
  };

  // The refresh of a stale read in flight per period: a commit that needs nothing but a fresher
  // read does not wait for one another request already started (evaluation-gate.ts, point 3).
  const refreshes = new Map<string, Promise<void>>();
  const enforceCommitted = async (periodId: string, category: CostCategory): Promise<void> => {
    const decision = await enforcer.gate(periodId, [category, TOTAL]);
    stats?.count(decision.evaluate ? `gate:${decision.reason}` : 'gate:skipped', 1);
    if (!decision.evaluate) {
      scheduleRecheck(periodId, decision.refreshBy);
      await enforcer.maintain();
      return;
    }
    // A budget of this commit is near a threshold (or its flag level unknown): evaluate just those
    // (one aggregation query), the shortest path from the crossing event to its flag.
    if (decision.reason === 'near-threshold' || decision.reason === 'flags-unknown') return evaluations.request([`full|${periodId}|${category}`, `full|${periodId}|${TOTAL}`]);
    if (decision.reason === 'unread') return evaluateAll(periodId);
    if (refreshes.has(periodId)) return;
    const refresh = evaluateAll(periodId).finally(() => refreshes.delete(periodId));
    refreshes.set(periodId, refresh);
    return refresh;
  };

  const enforceCurrent = async (): Promise<void> => {
    config.invalidate();
    const now = new Date();
    const current = periodOf(now);
    const periods = [current.id];
    // Spend of the last seconds of a period may be committed after it ended.
    if (now.getTime() - current.start.getTime() < PREVIOUS_PERIOD_GRACE_MILLISECONDS) periods.push(periodOf(new Date(current.start.getTime() - 1)).id);
    await Promise.all([...periods.map((periodId) => evaluations.request([`all|${periodId}`])), scoped.enforceRecent()]);
    await enforcer.sweepOutbox(true);
  };

  return {
    enforceCurrent,
    enforce: (periodId, category) => evaluations.request([`full|${periodId}|${category}`, `full|${periodId}|${TOTAL}`]),
    enforceCommitted,
    config: async () => (await config()).config,
    enforcer,
    scoped,
    enforceScoped,
  };
}
