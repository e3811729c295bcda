import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { kindOfInstance } from '../../../shared/budget/scope';
import type { BreakerRule } from '../../../shared/runaway/breaker-rule';
import type { WindowReading } from '../../../shared/runaway/burn-window';
import { baselineMinutes, windowMicrosOf } from '../../../shared/runaway/minute-history';
import { baselineOf, decideTrip, type TripDecision } from '../../../shared/runaway/trip-decision';
import type { RunawayAlert } from '../../../shared/contracts/runaway-alert';
import type { Logger } from '../../../shared/logging/logger';
import { readInstanceMinutes, readPeers } from '../../../shared/store/burn-minutes-store';
import { markTripPublished, recordTrip, type RunawayTrip } from '../../../shared/store/runaway-trips-store';

export interface BreakerCheckDeps {
  db: Firestore;
  /** Publishes a runaway alert on the alerts topic; resolves to its message id. */
  publishAlert: (alert: RunawayAlert) => Promise<string>;
  log: Logger;
  countReads?: (reads: number) => void;
}

/** The alert publisher of the alerts topic (attributes for subscription filters, as budget alerts have). */
export function runawayAlertPublisher(pubsub: PubSub, topic: string): BreakerCheckDeps['publishAlert'] {
  return (alert) => pubsub.topic(topic).publishMessage({ json: alert, attributes: { alertId: alert.alertId, kind: alert.kind, severity: alert.severity, scope: alert.scope, ...(alert.shadow ? { shadow: 'true' } : {}) } });
}

/** What the caller saw of the instance: this aggregator's own window (fast path), or nothing (the tick). */
export interface CheckInput {
  rule: BreakerRule;
  instance: string;
  team?: string;
  local?: WindowReading;
  now: number;
}

/**
 * Decides one suspect scope instance from its stored minutes (every aggregator instance's share,
 * and its baseline) and what this instance saw; trips it once. Reads 62 documents: the instance's
 * last hour by id and the peers' baselines — only for an instance already above a rule's floor.
 */
export async function checkInstance(deps: BreakerCheckDeps, input: CheckInput): Promise<'tripped' | 'already-tripped' | 'no-trip'> {
  const { rule, instance, now } = input;
  const toMinute = Math.floor(now / 60_000) * 60_000;
  const [minutes, peers] = await Promise.all([readInstanceMinutes(deps.db, instance, toMinute - 3_600_000, toMinute), readPeers(deps.db)]);
  deps.countReads?.(minutes.length + 1);
  const team = input.team ?? minutes.find((m) => m.team)?.team;
  // Peers' baselines are per agent: a team's or tenant's rate has only its own history to go by.
  const agent = kindOfInstance(instance) === 'agent';
  const baseline = baselineOf(baselineMinutes(minutes, now, rule.windowSeconds), agent ? { ...(team && peers.baselines.teams[team] !== undefined ? { team: { name: team, microsPerMinute: peers.baselines.teams[team] } } : {}), fleet: peers.baselines.fleet } : {});
  const stored = windowMicrosOf(minutes, now, rule.windowSeconds);
  const storedTop = topStoredCall(minutes.filter((m) => m.minute + 60_000 > now - rule.loopWindowSeconds * 1000));
  const local = input.local;
  const micros = Math.max(stored, local?.micros ?? 0);
  const topCall = [local?.topCall, storedTop].filter((c) => c !== undefined).sort((a, b) => b.calls - a.calls)[0];
  const decision = decideTrip(rule, { micros, ...(topCall ? { topCall } : {}) }, baseline);
  if (!decision.trip) return 'no-trip';
  const trip = tripOf(rule, instance, decision, local, now);
  const outcome = await recordTrip(deps.db, trip, now);
  if (outcome === 'tripped') {
    deps.log.warn({ scope: instance, ruleId: rule.id, reason: decision.reason, rateMicrosPerMinute: decision.rateMicrosPerMinute, baseline: decision.baseline, shadow: rule.shadow }, rule.shadow ? 'burn-rate breaker would trip (shadow rule: nothing paused)' : 'burn-rate breaker tripped: scope paused');
    await publishTrip(deps, trip);
  }
  return outcome;
}

/** Publishes a trip's alert and marks it published; a failure is left to the tick's outbox sweep. */
export async function publishTrip(deps: BreakerCheckDeps, trip: Pick<RunawayTrip, 'ruleId' | 'scope' | 'tripId' | 'alert'>): Promise<void> {
  try {
    const messageId = await deps.publishAlert(trip.alert);
    await markTripPublished(deps.db, trip.ruleId, trip.scope, trip.tripId, messageId);
  } catch (error) {
    deps.log.error({ err: error, alertId: trip.alert.alertId }, 'runaway alert not published; the budget tick publishes it');
  }
}

function topStoredCall(minutes: readonly { calls: Record<string, number> }[]): { model: string; promptHash: string; calls: number } | undefined {
  const calls = new Map<string, number>();
  for (const m of minutes) for (const [k, n] of Object.entries(m.calls)) calls.set(k, (calls.get(k) ?? 0) + n);
  const [key, n] = [...calls].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (key === undefined || n === undefined) return undefined;
  const at = key.lastIndexOf('|');
  return { model: key.slice(0, at), promptHash: key.slice(at + 1), calls: n };
}

function tripOf(rule: BreakerRule, instance: string, decision: Extract<TripDecision, { trip: true }>, local: WindowReading | undefined, now: number): Omit<RunawayTrip, 'active' | 'published'> {
  const until = now + rule.cooldownMinutes * 60_000;
  const tripId = `runaway_${rule.id}_${encodeURIComponent(instance)}_${now}`;
  const prompts = local?.prompts.length ? local.prompts : decision.loop ? [decision.loop] : [];
  const alert: RunawayAlert = {
    schemaVersion: 1,
    alertId: tripId,
    kind: 'runaway',
    severity: rule.shadow ? 'WARNING' : 'CRITICAL',
    shadow: rule.shadow,
    ruleId: rule.id,
    scope: instance,
    reason: decision.reason,
    rateMicrosPerMinute: decision.rateMicrosPerMinute,
    baselineMicrosPerMinute: Math.round(decision.baseline.microsPerMinute),
    baselineFrom: decision.baseline.from,
    floorMicrosPerMinute: rule.floorMicrosPerMinute,
    multiple: rule.multiple,
    windowSeconds: rule.windowSeconds,
    topModels: (local?.models ?? []).slice(0, 5),
    topPrompts: prompts.slice(0, 5),
    since: new Date(now).toISOString(),
    until: new Date(until).toISOString(),
    at: new Date(now).toISOString(),
  };
  return { ruleId: rule.id, scope: instance, tripId, shadow: rule.shadow, reason: decision.reason, rateMicrosPerMinute: decision.rateMicrosPerMinute, baselineMicrosPerMinute: alert.baselineMicrosPerMinute, baselineFrom: decision.baseline.from, since: now, until, alert };
}
