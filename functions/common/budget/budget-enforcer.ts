import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { budgetAlertMessage } from '../../../shared/budget/alert-message';
import { BUDGET_KEYS, type BudgetKey } from '../../../shared/budget/budget-config';
import { gateEvaluation, type GateDecision, type GateOptions } from '../../../shared/budget/evaluation-gate';
import { alertsFor, evaluateBudget } from '../../../shared/budget/evaluate-budgets';
import { parsePeriodId, type Period } from '../../../shared/basics/period';
import { PeriodSpendView } from '../../../shared/budget/spend-view';
import { throttleRank } from '../../../shared/budget/thresholds';
import type { CostCategory } from '../../../shared/contracts/vocabulary';
import { budgetAlertAttributes, type BudgetAlert } from '../../../shared/contracts/budget-alert';
import type { Logger } from '../../../shared/logging/logger';
import { claimAlert, markAlertPublished, raiseAlert, unpublishedAlertIds } from '../../../shared/store/budget-alerts-store';
import type { LoadedBudgetConfig } from '../../../shared/store/budget-config-store';
import { readPeriodStart, readSpendTotals } from '../../../shared/store/spend-shards';
import { applyFlags } from '../../../shared/store/throttle-flags-store';
import { FlagView } from './flag-view';

/** What a Firestore read was for (the reads-per-event measure of bench/spend). */
export type ReadKind = 'spend-totals' | 'flags-transaction' | 'period-start' | 'alerts' | 'config';

export interface EnforcerDeps {
  db: Firestore;
  config: () => Promise<LoadedBudgetConfig>;
  /** Called when a flag write found the cached config stale. */
  invalidateConfig?: () => void;
  /** Publishes to the alerts topic; resolves with the message id. */
  publishAlert: (alert: BudgetAlert) => Promise<string>;
  now: () => Date;
  log: Logger;
  /** Told of every Firestore read the enforcer makes (documents, or aggregation reads). */
  countReads?: (kind: ReadKind, reads: number) => void;
  /** When a commit's budgets need evaluating (evaluation-gate.ts defaults). */
  gate?: Partial<GateOptions>;
}

/** How often an instance looks for alerts whose publication failed or was interrupted. */
const OUTBOX_SWEEP_MILLISECONDS = 30_000;
/** How often an instance re-reads a period's data start (another instance may record an earlier event). */
const PERIOD_START_REFRESH_MILLISECONDS = 60_000;

/** Publishes budget alerts to the alerts topic with their routing attributes. */
export function budgetAlertPublisher(pubsub: PubSub, topic: string): EnforcerDeps['publishAlert'] {
  return (alert) => pubsub.topic(topic).publishMessage({ json: alert, attributes: budgetAlertAttributes(alert) });
}

/**
 * Applies the budget rules to a period's current spend: sets throttle flags to what the spend
 * calls for (refusing a stale config), and raises each due alert once — created, published, marked
 * published. An alert id is remembered only once published, so a failed publish is retried by
 * the next evaluation, the outbox sweep, or the minute tick. Every decision comes from a fresh
 * aggregation read; what the instance knows without reading (its spend view, the flag levels its
 * transactions saw) only decides whether a read or a flag transaction is needed at all.
 */
export class BudgetEnforcer {
  private readonly knownAlerts = new Set<string>();
  private readonly periodStarts = new Map<string, { start: Date; readAt: number }>();
  private readonly spendViews = new Map<string, PeriodSpendView>();
  private readonly flagView = new FlagView();
  private lastOutboxSweep = 0;

  constructor(private readonly deps: EnforcerDeps) {}

  /** Evaluates a period's budgets from a fresh read of its totals (CLI, billing ingestor, ticks). */
  async enforce(periodId: string, keys: readonly BudgetKey[]): Promise<void> {
    const [loaded, dataStart] = await Promise.all([this.deps.config(), this.periodStart(periodId)]);
    await this.evaluate(parsePeriodId(periodId), keys, keys, loaded, dataStart);
    await this.sweepOutbox(false);
  }

  /** Spend this instance committed; call once the commit succeeded, before its gate. */
  noteCommitted(periodId: string, increments: readonly { category: CostCategory; amountMicros: number }[]): void {
    const view = this.spendView(periodId);
    for (const i of increments) view.addOwn(i.category, i.amountMicros);
  }

  /**
   * Whether this instance's own commits (`noteCommitted`) call for an evaluation of the period:
   * decided from its view without reading (evaluation-gate.ts argues why a stale view cannot miss
   * a crossing). A skip says by when to check again even if no event comes.
   */
  async gate(periodId: string, keys: readonly BudgetKey[]): Promise<GateDecision> {
    const [loaded, dataStart] = await Promise.all([this.deps.config(), this.periodStart(periodId)]);
    return gateEvaluation({
      config: loaded.config,
      period: parsePeriodId(periodId),
      now: this.deps.now(),
      dataStart,
      keys,
      view: this.spendView(periodId),
      flagLevel: (key) => this.flagView.level(periodId, key, loaded.version),
      alertKnown: (alertId) => this.knownAlerts.has(alertId),
      options: this.deps.gate,
    });
  }

  /**
   * Evaluates every budget of a period from one fresh read (two aggregation queries): the next
   * commits of any category decide from it, and a crossing others' spend caused in any budget is
   * acted on by the first read after it.
   */
  async enforceAll(periodId: string): Promise<void> {
    const [loaded, dataStart] = await Promise.all([this.deps.config(), this.periodStart(periodId)]);
    await this.evaluate(parsePeriodId(periodId), BUDGET_KEYS, BUDGET_KEYS, loaded, dataStart);
    await this.sweepOutbox(false);
  }

  /** Sweeps the outbox when its interval has passed (a skipped evaluation still does this). */
  async maintain(): Promise<void> {
    await this.sweepOutbox(false);
  }

  /** Reads the totals of `readKeys`, sets the flags of `keys` and raises their due alerts. */
  private async evaluate(period: Period, keys: readonly BudgetKey[], readKeys: readonly BudgetKey[], loaded: LoadedBudgetConfig, dataStart: Date | undefined): Promise<void> {
    const { db, log } = this.deps;
    const periodId = period.id;
    const view = this.spendView(periodId);
    const ticket = view.beginRead(this.deps.now().getTime());
    const spent = await readSpendTotals(db, periodId, readKeys);
    this.countReads('spend-totals', Math.ceil(readKeys.length / 5));
    view.completeRead(ticket, spent);
    const now = this.deps.now();
    const states = keys.map((key) => evaluateBudget(key, { config: loaded.config, period, now, dataStart, spentMicros: spent }));
    const desired = Object.fromEntries(
      states.map((s) => [s.key, { level: s.throttle, ratio: s.ratio, spentMicros: s.spentMicros, budgetMicros: s.budgetMicros, setAt: now.toISOString() }]),
    );
    const due = states.flatMap((s) => alertsFor(s, periodId)).filter((d) => !this.knownAlerts.has(d.alertId));
    // The flag transaction (two reads, a commit) only when it could write: when a level this
    // instance saw under this config is below what the spend now calls for, or unknown. Under one
    // config a stored level never falls below one seen (flag-view.ts), and `applyFlags` writes
    // only a higher level or a re-stamp under a new config — so for every other outcome the
    // transaction would have changed nothing.
    const flagsNeeded = states.some((s) => {
      const seen = this.flagView.level(periodId, s.key, loaded.version);
      return seen === undefined || throttleRank(s.throttle) > throttleRank(seen);
    });
    const [flags] = await Promise.all([
      flagsNeeded ? applyFlags(db, periodId, desired, loaded.version).finally(() => this.countReads('flags-transaction', 2)) : undefined,
      Promise.all(due.map((d) => this.raise(budgetAlertMessage(d, period, now), now))),
    ]);
    if (flags?.status === 'stale-config') {
      // The budgets changed since they were loaded: the next evaluation reloads and decides.
      this.deps.invalidateConfig?.();
      log.info({ period: periodId }, 'budget config changed during evaluation; flags left to the next evaluation');
    } else if (flags) {
      this.flagView.record(periodId, loaded.version, flags.levels);
      if (Object.keys(flags.changes).length > 0) log.info({ period: periodId, flags: flags.changes }, 'throttle flags changed');
    }
  }

  /** The periods this instance has committed spend to or evaluated (its spend views). */
  knownPeriods(): string[] {
    return [...this.spendViews.keys()];
  }

  /** The earliest event time of a period as this instance knows it (read, or recorded here). */
  knownPeriodStart(periodId: string): Date | undefined {
    return this.periodStarts.get(periodId)?.start;
  }

  /** An earlier event this instance recorded moves the period's start at once, for the next forecast. */
  notePeriodStart(periodId: string, start: Date): void {
    const known = this.periodStarts.get(periodId);
    if (!known || start < known.start) this.periodStarts.set(periodId, { start, readAt: known?.readAt ?? this.deps.now().getTime() });
  }

  /** Publishes alerts whose publication failed or was interrupted; `force` ignores the sweep interval. */
  async sweepOutbox(force: boolean): Promise<number> {
    const now = this.deps.now();
    if (!force && now.getTime() - this.lastOutboxSweep < OUTBOX_SWEEP_MILLISECONDS) return 0;
    this.lastOutboxSweep = now.getTime();
    let published = 0;
    try {
      const unpublished = await unpublishedAlertIds(this.deps.db, now);
      // A query costs a read per document returned, at least one (held claims are filtered out here).
      this.countReads('alerts', Math.max(1, unpublished.length));
      for (const alertId of unpublished) {
        if (await this.publishExisting(alertId, now)) published += 1;
      }
    } catch (error) {
      // A failed sweep is retried by the next one; it must not fail the message being handled.
      this.deps.log.error({ err: error }, 'alert outbox sweep failed');
    }
    return published;
  }

  /** Whether an alert id is known to be raised and published (by this instance). */
  isAlertKnown(alertId: string): boolean {
    return this.knownAlerts.has(alertId);
  }

  /** Raises (exactly once) and publishes the alerts not known to be published — scoped budgets' too. */
  async raiseAll(alerts: readonly BudgetAlert[], now: Date): Promise<void> {
    await Promise.all(alerts.filter((a) => !this.knownAlerts.has(a.alertId)).map((a) => this.raise(a, now)));
  }

  /** Creates the alert (exactly once) and publishes it. */
  private async raise(alert: BudgetAlert, now: Date): Promise<void> {
    if ((await raiseAlert(this.deps.db, alert, now)) === 'exists') {
      await this.publishExisting(alert.alertId, now);
      return;
    }
    await this.publish(alert);
    this.deps.log.info({ alertId: alert.alertId, severity: alert.severity, category: alert.category, period: alert.period, ...(alert.scope ? { scope: alert.scope, window: alert.windowId } : {}) }, 'budget alert raised');
  }

  /** Publishes an already raised alert if it is unpublished and nobody else holds it. */
  private async publishExisting(alertId: string, now: Date): Promise<boolean> {
    const claim = await claimAlert(this.deps.db, alertId, now);
    this.countReads('alerts', 1);
    if (claim.status === 'published') this.knownAlerts.add(alertId);
    if (claim.status !== 'claimed') return false;
    this.deps.log.warn({ alertId }, 'publishing an alert whose earlier publication did not complete');
    await this.publish(claim.alert);
    return true;
  }

  private async publish(alert: BudgetAlert): Promise<void> {
    const messageId = await this.deps.publishAlert(alert);
    await markAlertPublished(this.deps.db, alert.alertId, messageId);
    this.knownAlerts.add(alert.alertId);
  }

  private spendView(periodId: string): PeriodSpendView {
    let view = this.spendViews.get(periodId);
    if (!view) {
      view = new PeriodSpendView();
      this.spendViews.set(periodId, view);
    }
    return view;
  }

  private countReads(kind: ReadKind, reads: number): void {
    this.deps.countReads?.(kind, reads);
  }

  private async periodStart(periodId: string): Promise<Date | undefined> {
    const now = this.deps.now().getTime();
    const cached = this.periodStarts.get(periodId);
    if (cached && now - cached.readAt < PERIOD_START_REFRESH_MILLISECONDS) return cached.start;
    const stored = await readPeriodStart(this.deps.db, periodId);
    this.countReads('period-start', 1);
    if (stored) this.periodStarts.set(periodId, { start: stored, readAt: now });
    return stored;
  }
}
