import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { budgetAlertMessage } from '../../../shared/budget/alert-message';
import type { BudgetKey } from '../../../shared/budget/budget-config';
import { alertsFor, evaluateBudget } from '../../../shared/budget/evaluate-budgets';
import { parsePeriodId } from '../../../shared/budget/period';
import { budgetAlertAttributes, type BudgetAlert } from '../../../shared/contracts/budget-alert';
import type { Logger } from '../../../shared/logging/logger';
import { claimAlert, markAlertPublished, raiseAlert, unpublishedAlertIds } from '../../../shared/store/budget-alerts-store';
import type { LoadedBudgetConfig } from '../../../shared/store/budget-config-store';
import { readPeriodStart, readSpendTotals } from '../../../shared/store/spend-shards';
import { applyFlags } from '../../../shared/store/throttle-flags-store';

export interface EnforcerDeps {
  db: Firestore;
  config: () => Promise<LoadedBudgetConfig>;
  /** Called when a flag write found the cached config stale. */
  invalidateConfig?: () => void;
  /** Publishes to the alerts topic; resolves with the message id. */
  publishAlert: (alert: BudgetAlert) => Promise<string>;
  now: () => Date;
  log: Logger;
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
 * the next evaluation, the outbox sweep, or the minute tick.
 */
export class BudgetEnforcer {
  private readonly knownAlerts = new Set<string>();
  private readonly periodStarts = new Map<string, { start: Date; readAt: number }>();
  private lastOutboxSweep = 0;

  constructor(private readonly deps: EnforcerDeps) {}

  async enforce(periodId: string, keys: readonly BudgetKey[]): Promise<void> {
    const { db, log } = this.deps;
    const period = parsePeriodId(periodId);
    const [loaded, spent, dataStart] = await Promise.all([this.deps.config(), readSpendTotals(db, periodId, keys), this.periodStart(periodId)]);
    const now = this.deps.now();
    const states = keys.map((key) => evaluateBudget(key, { config: loaded.config, period, now, dataStart, spentMicros: spent }));
    const desired = Object.fromEntries(
      states.map((s) => [s.key, { level: s.throttle, ratio: s.ratio, spentMicros: s.spentMicros, budgetMicros: s.budgetMicros, setAt: now.toISOString() }]),
    );
    const due = states.flatMap((s) => alertsFor(s, periodId)).filter((d) => !this.knownAlerts.has(d.alertId));
    const [flags] = await Promise.all([applyFlags(db, periodId, desired, loaded.version), Promise.all(due.map((d) => this.raise(budgetAlertMessage(d, period, now), now)))]);
    if (flags.status === 'stale-config') {
      // The budgets changed since they were loaded: the next evaluation reloads and decides.
      this.deps.invalidateConfig?.();
      log.info({ period: periodId }, 'budget config changed during evaluation; flags left to the next evaluation');
    } else if (Object.keys(flags.changes).length > 0) {
      log.info({ period: periodId, flags: flags.changes }, 'throttle flags changed');
    }
    await this.sweepOutbox(false);
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
      for (const alertId of await unpublishedAlertIds(this.deps.db, now)) {
        if (await this.publishExisting(alertId, now)) published += 1;
      }
    } catch (error) {
      // A failed sweep is retried by the next one; it must not fail the message being handled.
      this.deps.log.error({ err: error }, 'alert outbox sweep failed');
    }
    return published;
  }

  /** Creates the alert (exactly once) and publishes it. */
  private async raise(alert: BudgetAlert, now: Date): Promise<void> {
    if ((await raiseAlert(this.deps.db, alert, now)) === 'exists') {
      await this.publishExisting(alert.alertId, now);
      return;
    }
    await this.publish(alert);
    this.deps.log.info({ alertId: alert.alertId, severity: alert.severity, category: alert.category, period: alert.period }, 'budget alert raised');
  }

  /** Publishes an already raised alert if it is unpublished and nobody else holds it. */
  private async publishExisting(alertId: string, now: Date): Promise<boolean> {
    const claim = await claimAlert(this.deps.db, alertId, now);
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

  private async periodStart(periodId: string): Promise<Date | undefined> {
    const now = this.deps.now().getTime();
    const cached = this.periodStarts.get(periodId);
    if (cached && now - cached.readAt < PERIOD_START_REFRESH_MILLISECONDS) return cached.start;
    const stored = await readPeriodStart(this.deps.db, periodId);
    if (stored) this.periodStarts.set(periodId, { start: stored, readAt: now });
    return stored;
  }
}
