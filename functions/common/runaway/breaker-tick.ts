import { parseScope } from '../../../shared/budget/scope';
import type { BreakerConfig } from '../../../shared/runaway/breaker-rule';
import { updatePeerHistory, windowMicrosOf } from '../../../shared/runaway/minute-history';
import { isSuspect } from '../../../shared/runaway/trip-decision';
import { readPeers, readRecentMinutes, writePeers, type BurnMinute } from '../../../shared/store/burn-minutes-store';
import { activeTrips, clearTrip, unpublishedTrips } from '../../../shared/store/runaway-trips-store';
import { checkInstance, publishTrip, type BreakerCheckDeps } from './breaker-check';
import { covers } from './breaker-monitor';

/** How long the aggregator that recorded a trip has to publish its alert before the tick does. */
const PUBLISH_GRACE_MILLISECONDS = 30_000;

export interface BreakerTickDeps extends BreakerCheckDeps {
  config: () => Promise<BreakerConfig>;
  now: () => number;
}

/**
 * The breakers' minute tick (run by the budget evaluator): lifts trips whose cool-down ended,
 * publishes trip alerts a crash left unpublished, adds the last minute to the peers' baselines,
 * and checks every scope instance from the stored minutes — the fleet-wide view that catches a
 * runaway split across several aggregator instances. Reads one document per active scope
 * instance and minute (two minutes), plus 62 per suspect.
 */
export async function runBreakerTick(deps: BreakerTickDeps): Promise<{ cleared: number; published: number; checked: number }> {
  const now = deps.now();
  const trips = await activeTrips(deps.db);
  const ended = trips.filter((t) => t.until <= now);
  const cleared = (await Promise.all(ended.map((t) => clearTrip(deps.db, t.ruleId, t.scope, 'cooldown', now)))).filter(Boolean).length;
  const late = (await unpublishedTrips(deps.db)).filter((t) => t.since <= now - PUBLISH_GRACE_MILLISECONDS);
  for (const trip of late) await publishTrip(deps, trip);

  const { rules } = await deps.config();
  if (rules.length === 0) return { cleared, published: late.length, checked: 0 };
  const currentMinute = Math.floor(now / 60_000) * 60_000;
  const recent = await readRecentMinutes(deps.db, currentMinute - 60_000);
  deps.countReads?.(Math.max(1, recent.length));
  await updatePeers(deps, recent, currentMinute - 60_000);

  const byInstance = new Map<string, BurnMinute[]>();
  for (const m of recent) byInstance.set(m.scope, [...(byInstance.get(m.scope) ?? []), m]);
  const tripped = new Set(trips.filter((t) => t.until > now).map((t) => `${t.ruleId}|${t.scope}`));
  const checks: Promise<unknown>[] = [];
  for (const rule of rules) {
    const scope = parseScope(rule.scope);
    for (const [instance, minutes] of byInstance) {
      if (!covers(scope, instance) || tripped.has(`${rule.id}|${instance}`)) continue;
      const micros = windowMicrosOf(minutes, now, rule.windowSeconds);
      const calls = Math.max(0, ...minutes.flatMap((m) => Object.values(m.calls)));
      if (!isSuspect(rule, { micros, topCall: { model: '', promptHash: '', calls } })) continue;
      checks.push(checkInstance(deps, { rule, instance, now }));
    }
  }
  await Promise.all(checks);
  return { cleared, published: late.length, checked: checks.length };
}

/** Adds the last finished minute's per-agent spend to the peers' history, once per minute. */
async function updatePeers(deps: BreakerTickDeps, recent: readonly BurnMinute[], minute: number): Promise<void> {
  const peers = await readPeers(deps.db);
  if (peers.lastMinute >= minute) return;
  const agents = recent.filter((m) => m.minute === minute && m.scope.startsWith('agent:')).map((m) => ({ micros: m.micros, ...(m.team ? { team: m.team } : {}) }));
  const { history, baselines } = updatePeerHistory(peers.history, minute, agents);
  await writePeers(deps.db, history, baselines, minute);
}
