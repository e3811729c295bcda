import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { budgetStatus, type BudgetStatus } from '../../shared/reports/budget-status';
import { banView, listBans, type BanView } from '../../shared/store/bans-store';
import type { BanRecord } from '../../shared/security/ban-record';
import { COLLECTIONS } from '../../shared/basics/collections';
import { performanceAlertsBetween } from '../../shared/store/metric-alerts-store';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { fleetSpendCurve, type LedgerBucketCache, type SpendCurve } from '../../shared/reports/spend-over-time';
import { breakerStatus, type BreakerStatus } from '../common/operator/breaker-actions';
import { recentScopedAlerts, scopedSnapshot, type ScopedSnapshot, type TopPanel, type TopPanelDimension } from './scope-sections';

/** One line of the recent-alerts list, whatever raised it. */
export interface RecentAlert {
  kind: 'budget' | 'forecast' | 'performance' | 'ban';
  alertId: string;
  severity: string;
  at: string;
  /** Budget, rule and group, or banned subject. */
  subject: string;
  message: string;
}

/** The sections that change with events: read again when a listener sees a change. */
export interface LiveSections {
  budget: BudgetStatus;
  alerts: RecentAlert[];
  bans: BanView[];
  /** Top spenders by agent and team (scope-sections.ts). */
  top: Record<TopPanelDimension, TopPanel>;
  /** The fleet's cumulative spend this month against the total budget's pace line. */
  fleetCurve: SpendCurve;
  /** Scope instances a burn-rate breaker tripped (shadow trips marked), newest first. */
  runaway: BreakerStatus['tripped'];
}

/** What the live reads keep between calls, per dashboard instance. */
export interface LiveMemory {
  /** Settled days of the fleet curve (spend-over-time.ts). */
  ledgerBuckets: LedgerBucketCache;
  /** The last read of the scoped lines and rankings (read at most every `scopedRefreshMilliseconds`). */
  scoped?: ScopedSnapshot;
}

/** How far back the alert list looks, and how many it shows. */
export const RECENT_ALERTS = { hours: 24, max: 50 } as const;

/**
 * Budget status (spend, %, forecast, flags, alerts), top spenders, the fleet's spend over time,
 * recent alerts of every kind (the fleet's and the scoped budgets') and active bans. The scoped
 * budgets' lines and rankings come from `memory.scoped` while younger than `scopedRefreshMilliseconds`.
 */
export async function readLiveSections(db: Firestore, now: Date, memory: LiveMemory, scopedRefreshMilliseconds: number): Promise<LiveSections> {
  const since = new Date(now.getTime() - RECENT_ALERTS.hours * 3_600_000);
  const [fleet, loaded, performance, active, recentBans, scopedAlerts, breakers] = await Promise.all([
    // The fleet's lines only (and `fleet`-scoped budgets): the per-instance lines are in the snapshot.
    budgetStatus(db, now, { scope: 'fleet' }),
    loadBudgetConfig(db),
    performanceAlertsBetween(db, since, now),
    listBans(db, { activeOnly: true, now }),
    db.collection(COLLECTIONS.bans).where('bannedAt', '>=', Timestamp.fromDate(since)).get(),
    recentScopedAlerts(db, since),
    breakerStatus(db, now.getTime()),
  ]);
  const total = fleet.budgets.find((b) => b.budget === 'TOTAL');
  const [scoped, fleetCurve] = await Promise.all([
    scopedSnapshot(db, loaded.config, now, memory.scoped, scopedRefreshMilliseconds),
    fleetSpendCurve(db, { periodId: fleet.period, windowStart: new Date(fleet.periodStart), windowEnd: new Date(fleet.periodEnd), budgetMicros: total?.budgetMicros ?? 0, totalMicros: total?.spentMicros ?? 0, now }, memory.ledgerBuckets),
  ]);
  memory.scoped = scoped;
  const budget: BudgetStatus = { ...fleet, scoped: scoped.lines };
  const top = scoped.top;
  const alerts: RecentAlert[] = [
    ...budget.budgets.flatMap((b) =>
      b.alerts.map((a) => ({
        kind: a.kind === 'forecast' ? ('forecast' as const) : ('budget' as const),
        alertId: a.alertId,
        severity: a.severity,
        at: a.raisedAt,
        subject: b.budget,
        message: a.kind === 'forecast' ? `${b.budget} is forecast past its budget this month` : `${b.budget} passed a threshold: ${a.severity}${a.published ? '' : ' (not yet published)'}`,
      })),
    ),
    ...scopedAlerts.map((a) => ({
      kind: 'budget' as const,
      alertId: a.alertId,
      severity: a.severity,
      at: a.raisedAt,
      subject: `${a.budgetId} ${a.scope}`,
      message: `${a.scope} passed a threshold of budget ${a.budgetId} (window ${a.windowId}): ${a.severity}${a.published ? '' : ' (not yet published)'}`,
    })),
    ...performance.map((a) => ({
      kind: 'performance' as const,
      alertId: `${a.alertId}_${a.status}`,
      severity: a.severity,
      at: a.at,
      subject: `${a.ruleId}${Object.keys(a.group).length ? ` ${Object.entries(a.group).map(([k, v]) => `${k}=${v}`).join(',')}` : ''}`,
      message: `${a.status} ${a.metric} ${a.statistic} ${a.value.toFixed(1)} (limit ${a.comparator} ${a.limit})`,
    })),
    ...recentBans.docs.map((d) => {
      const b = d.data() as BanRecord;
      return {
        kind: 'ban' as const,
        alertId: `ban_${d.id}_${b.bannedAt.toMillis()}`,
        severity: 'WARNING',
        at: b.bannedAt.toDate().toISOString(),
        subject: `${b.subjectType} ${b.subject}`,
        message: `banned (${b.level}, offense ${b.offense}): ${b.reason}${b.liftedAt ? `; lifted by ${b.liftedBy ?? '?'}` : ''}`,
      };
    }),
  ];
  return {
    budget,
    top,
    fleetCurve,
    runaway: breakers.tripped,
    alerts: alerts.sort((x, y) => y.at.localeCompare(x.at)).slice(0, RECENT_ALERTS.max),
    bans: active.map((b) => banView(b, now)).sort((x, y) => y.bannedAt.localeCompare(x.bannedAt)),
  };
}
