import type { ReplayCost } from '../budget/spend-replay';
import { parseScope, scopeInstanceOf } from '../budget/scope';
import type { BreakerConfig } from './breaker-rule';
import { BurnWindow } from './burn-window';
import { baselineMinutes, updatePeerHistory, type MinuteTotal, type PeerBaselines, type PeerHistory } from './minute-history';
import { baselineOf, decideTrip, isSuspect, type BaselineSource, type TripReason } from './trip-decision';

/** When a breaker rule would have tripped, at the event that tripped it. */
export interface TripMoment {
  kind: 'trip';
  at: string;
  eventId: string;
  rule: string;
  scope: string;
  reason: TripReason;
  rateMicrosPerMinute: number;
  baselineMicrosPerMinute: number;
  baselineFrom: BaselineSource;
  /** When its pause would have lifted by itself (the rule's cool-down). */
  until: string;
  shadow: boolean;
}

export interface BreakerReplayResult {
  trips: TripMoment[];
  /** Calls made while a (non-shadow) trip would have paused their agent, and their spend. */
  paused: { calls: number; micros: number };
}

const MINUTE = 60_000;

/**
 * Replays recorded costs, in time order, through breaker rules with the live path's own pieces
 * (BurnWindow, baselineMinutes, updatePeerHistory, baselineOf, decideTrip). It sees every event,
 * as one aggregator instance that received the whole fleet's traffic would: a live trip of a
 * runaway split across instances comes up to a minute later (the tick), never earlier.
 */
export class BreakerReplay {
  private readonly window: BurnWindow;
  /** Spend per scope instance per minute (ms of its start): the stored minutes of the live path. */
  private readonly minutes = new Map<string, Map<number, number>>();
  /** Each unfinished minute's spend per agent: what the tick turns into the peers' baselines. */
  private readonly agentMinutes = new Map<number, Map<string, number>>();
  private readonly teams = new Map<string, string>();
  private history: PeerHistory = { fleet: [], teams: {} };
  private peers: PeerBaselines = { fleet: 0, teams: {} };
  private minuteDone: number | undefined;
  private readonly trippedUntil = new Map<string, number>();
  private readonly result: BreakerReplayResult = { trips: [], paused: { calls: 0, micros: 0 } };
  private readonly rules;

  constructor(config: BreakerConfig) {
    this.rules = config.rules.map((rule) => ({ rule, scope: parseScope(rule.scope) }));
    this.window = new BurnWindow(Math.max(60, ...config.rules.flatMap((r) => [r.windowSeconds, r.loopWindowSeconds])));
  }

  /** Adds the next cost (costs must come in time order). */
  add(cost: ReplayCost): void {
    const t = cost.at.getTime();
    this.finishMinutesBefore(t);
    const subject = { source: cost.source, attribution: cost.attribution, model: cost.usage?.model };
    if (cost.attribution?.team) this.teams.set(`agent:${cost.source}`, cost.attribution.team);
    const watched = this.rules.flatMap(({ rule, scope }) => {
      const instance = scopeInstanceOf(scope, subject);
      return instance === undefined ? [] : [{ rule, instance, key: `${rule.id}|${instance}` }];
    });
    // What a trip already in force would have done to this call: it would not have been made.
    if (watched.some((w) => !w.rule.shadow && (this.trippedUntil.get(w.key) ?? 0) > t)) {
      this.result.paused.calls += 1;
      this.result.paused.micros += cost.amountMicros;
    }
    const call = cost.usage ? { model: cost.usage.model, ...(cost.usage.promptHash ? { promptHash: cost.usage.promptHash } : {}) } : undefined;
    for (const instance of new Set(watched.map((w) => w.instance))) {
      this.window.add(instance, t, cost.amountMicros, call);
      const minutes = this.minutes.get(instance) ?? new Map<number, number>();
      const minute = t - (t % MINUTE);
      minutes.set(minute, (minutes.get(minute) ?? 0) + cost.amountMicros);
      this.minutes.set(instance, minutes);
      if (!instance.startsWith('agent:')) continue;
      const agents = this.agentMinutes.get(minute) ?? new Map<string, number>();
      agents.set(instance, (agents.get(instance) ?? 0) + cost.amountMicros);
      this.agentMinutes.set(minute, agents);
    }
    for (const { rule, instance, key } of watched) {
      if ((this.trippedUntil.get(key) ?? 0) > t) continue;
      const reading = this.window.read(instance, rule.windowSeconds, rule.loopWindowSeconds, t);
      if (!isSuspect(rule, reading)) continue;
      const own = baselineMinutes(this.minuteTotals(instance), t, rule.windowSeconds);
      const team = this.teams.get(instance);
      const peers = instance.startsWith('agent:') ? { ...(team && this.peers.teams[team] !== undefined ? { team: { name: team, microsPerMinute: this.peers.teams[team] } } : {}), fleet: this.peers.fleet } : {};
      const decision = decideTrip(rule, reading, baselineOf(own, peers));
      if (!decision.trip) continue;
      const until = t + rule.cooldownMinutes * MINUTE;
      this.trippedUntil.set(key, until);
      // As live: the next trip of this scope needs a new runaway window.
      this.window.clear(instance);
      this.result.trips.push({ kind: 'trip', at: cost.at.toISOString(), eventId: cost.eventId, rule: rule.id, scope: instance, reason: decision.reason, rateMicrosPerMinute: decision.rateMicrosPerMinute, baselineMicrosPerMinute: decision.baseline.microsPerMinute, baselineFrom: decision.baseline.from, until: new Date(until).toISOString(), shadow: rule.shadow });
    }
    this.window.prune(t);
  }

  finish(): BreakerReplayResult {
    return this.result;
  }

  private minuteTotals(instance: string): MinuteTotal[] {
    return [...(this.minutes.get(instance) ?? [])].map(([minute, micros]) => ({ minute, micros }));
  }

  /** The peers' baselines as the budget tick keeps them: each finished minute's per-agent totals. */
  private finishMinutesBefore(t: number): void {
    const current = t - (t % MINUTE);
    if (this.minuteDone === undefined) this.minuteDone = current - MINUTE;
    if (this.minuteDone + MINUTE >= current) return;
    for (let minute = this.minuteDone + MINUTE; minute < current; minute += MINUTE) {
      const agents = [...(this.agentMinutes.get(minute) ?? [])].map(([instance, micros]) => ({ micros, team: this.teams.get(instance) }));
      this.agentMinutes.delete(minute);
      ({ history: this.history, baselines: this.peers } = updatePeerHistory(this.history, minute, agents));
      this.minuteDone = minute;
      // A long quiet gap: nothing to add minute by minute beyond the hour the history keeps.
      if (current - minute > 61 * MINUTE) this.minuteDone = current - 61 * MINUTE;
    }
    for (const minute of this.agentMinutes.keys()) if (minute <= this.minuteDone) this.agentMinutes.delete(minute);
    // Once a minute, not per event: minutes older than any baseline's hour are forgotten.
    for (const [instance, byMinute] of this.minutes) {
      for (const minute of byMinute.keys()) if (minute < current - 61 * MINUTE) byMinute.delete(minute);
      if (byMinute.size === 0) this.minutes.delete(instance);
    }
  }
}

/** Replays costs (in time order) through breaker rules. */
export function replayBreakers(config: BreakerConfig, costs: Iterable<ReplayCost>): BreakerReplayResult {
  const replay = new BreakerReplay(config);
  for (const cost of costs) replay.add(cost);
  return replay.finish();
}
