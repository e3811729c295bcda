import { FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import type { PerformanceAlert } from '../contracts/performance-alert';
import { clearAtOf, type AlertRule } from '../metrics/alert-rules';
import { nextRuleState, type RuleState } from '../metrics/evaluate-rules';
import { seriesIdOf, type Labels } from '../metrics/series';
import { COLLECTIONS } from '../basics/collections';

export interface RuleGroupState {
  ruleId: string;
  groupId: string;
  group: Labels;
  state: RuleState;
  since?: string;
  alertId?: string;
  value?: number;
}

export function groupIdOf(rule: AlertRule, group: Labels): string {
  return seriesIdOf(`${rule.id}|${rule.groupBy.map((k) => `${k}=${group[k] ?? ''}`).join('|')}`);
}

/** Current states of a rule's groups (one query per rule per evaluation). */
export async function ruleStates(db: Firestore, ruleId: string): Promise<Map<string, RuleGroupState>> {
  const snapshot = await db.collection(COLLECTIONS.metricAlertStates).where('ruleId', '==', ruleId).get();
  return new Map(snapshot.docs.map((d) => [d.get('groupId') as string, d.data() as RuleGroupState]));
}

/**
 * Applies a rule's evaluation to one group in a transaction, so concurrent evaluators make a
 * transition once: on `raise` or `clear` it writes the new state and an alert record (unpublished)
 * and returns the alert to publish; otherwise nothing is written.
 */
export async function applyRuleValue(db: Firestore, rule: AlertRule, group: Labels, value: number | null, now: Date): Promise<PerformanceAlert | undefined> {
  const groupId = groupIdOf(rule, group);
  const stateRef = db.collection(COLLECTIONS.metricAlertStates).doc(`${rule.id}_${groupId}`);
  return db.runTransaction(async (tx) => {
    const current = (await tx.get(stateRef)).data() as RuleGroupState | undefined;
    const { state, transition } = nextRuleState(rule, current?.state ?? 'ok', value);
    if (!transition || value === null) return undefined;
    const since = transition === 'raise' ? now.toISOString() : (current?.since ?? now.toISOString());
    const alertId = transition === 'raise' ? `perf_${rule.id}_${groupId}_${now.getTime()}` : (current?.alertId ?? `perf_${rule.id}_${groupId}_unknown`);
    const alert: PerformanceAlert = {
      schemaVersion: 1,
      alertId,
      kind: 'performance',
      status: transition === 'raise' ? 'RAISED' : 'CLEARED',
      severity: rule.severity,
      ruleId: rule.id,
      metric: rule.metric,
      statistic: rule.statistic,
      comparator: rule.comparator,
      limit: rule.limit,
      clearAt: clearAtOf(rule),
      value,
      group: { ...group },
      window: rule.window,
      since,
      at: now.toISOString(),
    };
    tx.set(stateRef, { ruleId: rule.id, groupId, group: { ...group }, state, since, alertId, value, updatedAt: FieldValue.serverTimestamp() });
    tx.create(alertRef(db, alert), { ...alert, published: false, createdAt: FieldValue.serverTimestamp() });
    return alert;
  });
}

/** One document per alert and transition (a raise and its clear are separate alerts to publish). */
const alertRef = (db: Firestore, alert: Pick<PerformanceAlert, 'alertId' | 'status'>) => db.collection(COLLECTIONS.performanceAlerts).doc(`${alert.alertId}_${alert.status}`);

/** The alert a document holds, without the outbox bookkeeping. */
function alertOf(data: Record<string, unknown>): PerformanceAlert {
  const { published: _p, createdAt: _c, publishedAt: _pa, messageId: _m, ...alert } = data;
  return alert as PerformanceAlert;
}

export async function markPerformanceAlertPublished(db: Firestore, alert: PerformanceAlert, messageId: string): Promise<void> {
  await alertRef(db, alert).update({ published: true, messageId, publishedAt: FieldValue.serverTimestamp() });
}

/** Performance alerts recorded but still unpublished after a minute (a crash in between). */
export async function unpublishedPerformanceAlerts(db: Firestore, now: Date, olderThanMilliseconds = 60_000): Promise<PerformanceAlert[]> {
  const snapshot = await db.collection(COLLECTIONS.performanceAlerts).where('published', '==', false).limit(50).get();
  return snapshot.docs
    .filter((d) => ((d.get('createdAt') as Timestamp | undefined)?.toMillis() ?? 0) < now.getTime() - olderThanMilliseconds)
    .map((d) => alertOf(d.data()));
}

/** Alerts raised or cleared in [from, to), for reports. */
export async function performanceAlertsBetween(db: Firestore, from: Date, to: Date): Promise<PerformanceAlert[]> {
  const snapshot = await db.collection(COLLECTIONS.performanceAlerts).where('at', '>=', from.toISOString()).where('at', '<', to.toISOString()).get();
  return snapshot.docs.map((d) => alertOf(d.data()));
}
