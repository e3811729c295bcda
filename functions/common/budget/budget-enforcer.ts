import type { Firestore } from '@google-cloud/firestore';
import { budgetAlertMessage } from '../../../shared/budget/alert-message';
import type { BudgetConfig, BudgetKey } from '../../../shared/budget/budget-config';
import { alertsFor, evaluateBudget, type BudgetState } from '../../../shared/budget/evaluate-budgets';
import { parsePeriodId } from '../../../shared/budget/period';
import type { BudgetAlert } from '../../../shared/contracts/budget-alert';
import type { Logger } from '../../../shared/logging/logger';
import { markAlertPublished, raiseAlert, unpublishedAlerts } from '../../../shared/store/budget-alerts-store';
import { readPeriodStart, readSpendTotals } from '../../../shared/store/spend-shards';
import { readFlags, writeFlags, type ThrottleFlag } from '../../../shared/store/throttle-flags-store';

export interface EnforcerDeps {
  db: Firestore;
  config: () => Promise<BudgetConfig>;
  /** Publishes to the alerts topic; resolves with the message id. */
  publishAlert: (alert: BudgetAlert) => Promise<string>;
  now: () => Date;
  log: Logger;
}

export interface EnforcementResult {
  states: BudgetState[];
  raised: string[];
  flagChanges: Partial<Record<BudgetKey, ThrottleFlag>>;
}

/** How often an instance looks for alerts raised but never published (a crash between the two). */
const OUTBOX_SWEEP_MILLISECONDS = 30_000;

/**
 * Applies the budget rules to a period's current spend: sets throttle flags to what the spend
 * calls for, and raises each due alert once (create, publish, mark published). Alert ids known
 * to exist are remembered, so a crossed threshold costs nothing on later events.
 */
export class BudgetEnforcer {
  private readonly knownAlerts = new Set<string>();
  private readonly periodStarts = new Map<string, Date>();
  private lastOutboxSweep = 0;

  constructor(private readonly deps: EnforcerDeps) {}

  async enforce(periodId: string, keys: readonly BudgetKey[]): Promise<EnforcementResult> {
    const { db, log } = this.deps;
    const period = parsePeriodId(periodId);
    const [config, spent, flags, dataStart] = await Promise.all([
      this.deps.config(),
      readSpendTotals(db, periodId, keys),
      readFlags(db, periodId),
      this.periodStart(periodId),
    ]);
    const now = this.deps.now();
    const states = keys.map((key) => evaluateBudget(key, { config, period, now, dataStart, spentMicros: spent }));

    const flagChanges: Partial<Record<BudgetKey, ThrottleFlag>> = {};
    for (const s of states) {
      if ((flags.budgets[s.key]?.level ?? 'none') !== s.throttle) {
        flagChanges[s.key] = { level: s.throttle, ratio: s.ratio, spentMicros: s.spentMicros, budgetMicros: s.budgetMicros, setAt: now.toISOString() };
      }
    }
    const due = states.flatMap((s) => alertsFor(s, periodId)).filter((d) => !this.knownAlerts.has(d.alertId));
    const [, raised] = await Promise.all([
      writeFlags(db, periodId, flagChanges),
      Promise.all(due.map((d) => this.raise(budgetAlertMessage(d, period, now)))),
    ]);
    if (Object.keys(flagChanges).length > 0) log.info({ period: periodId, flags: flagChanges }, 'throttle flags changed');
    await this.sweepOutbox();
    return { states, raised: raised.filter((id): id is string => id !== undefined), flagChanges };
  }

  /** Creates the alert (exactly once) and publishes it; returns its id when this call raised it. */
  private async raise(alert: BudgetAlert): Promise<string | undefined> {
    const created = await raiseAlert(this.deps.db, alert);
    this.knownAlerts.add(alert.alertId);
    if (!created) return undefined;
    await this.publish(alert);
    this.deps.log.info({ alertId: alert.alertId, severity: alert.severity, category: alert.category, period: alert.period }, 'budget alert raised');
    return alert.alertId;
  }

  private async publish(alert: BudgetAlert): Promise<void> {
    const messageId = await this.deps.publishAlert(alert);
    await markAlertPublished(this.deps.db, alert.alertId, messageId);
  }

  private async sweepOutbox(): Promise<void> {
    const now = this.deps.now().getTime();
    if (now - this.lastOutboxSweep < OUTBOX_SWEEP_MILLISECONDS) return;
    this.lastOutboxSweep = now;
    for (const alert of await unpublishedAlerts(this.deps.db, this.deps.now())) {
      this.deps.log.warn({ alertId: alert.alertId }, 'publishing an alert left unpublished');
      await this.publish(alert);
    }
  }

  private async periodStart(periodId: string): Promise<Date | undefined> {
    const cached = this.periodStarts.get(periodId);
    if (cached) return cached;
    const stored = await readPeriodStart(this.deps.db, periodId);
    if (stored) this.periodStarts.set(periodId, stored);
    return stored;
  }
}
