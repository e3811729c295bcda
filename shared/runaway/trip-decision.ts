import type { BreakerRule } from './breaker-rule';
import type { CallKey, WindowReading } from './burn-window';

/** Where a baseline came from: the scope's own history, its team's agents, the fleet's, or nothing yet. */
export type BaselineSource = 'own' | `team:${string}` | 'fleet' | 'none';

export interface Baseline {
  microsPerMinute: number;
  from: BaselineSource;
}

export type TripReason = 'rate' | 'loop';

export type TripDecision =
  | { trip: false }
  | { trip: true; reason: TripReason; rateMicrosPerMinute: number; baseline: Baseline; loop?: CallKey & { calls: number } };

/** Minutes with spend an instance needs in the last hour before its own median is its baseline. */
export const MIN_HISTORY_MINUTES = 5;

/** The median of some numbers (0 for none). */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * A scope's baseline: the median of its spend per minute over the minutes it spent in during the
 * last hour (idle minutes are not "normal spend"), once it has `MIN_HISTORY_MINUTES` of them. With
 * less history, its peers' (team, then fleet) median per-agent minute — or its own short median
 * when that is higher: a busy agent new to a team of quiet ones is judged by what it has shown,
 * not by them. With neither, none (only the floor guards it).
 */
export function baselineOf(ownMinutes: readonly number[], peers: { team?: { name: string; microsPerMinute: number }; fleet?: number }): Baseline {
  const active = ownMinutes.filter((m) => m > 0);
  const own = medianOf(active);
  if (active.length >= MIN_HISTORY_MINUTES) return { microsPerMinute: own, from: 'own' };
  const peer: Baseline | undefined =
    peers.team && peers.team.microsPerMinute > 0
      ? { microsPerMinute: peers.team.microsPerMinute, from: `team:${peers.team.name}` }
      : peers.fleet !== undefined && peers.fleet > 0
        ? { microsPerMinute: peers.fleet, from: 'fleet' }
        : undefined;
  if (own > (peer?.microsPerMinute ?? 0)) return { microsPerMinute: own, from: 'own' };
  return peer ?? { microsPerMinute: 0, from: 'none' };
}

/** The spend rate of a window reading, in micro-USD per minute. */
export function rateOf(rule: Pick<BreakerRule, 'windowSeconds'>, micros: number): number {
  return Math.round((micros * 60) / rule.windowSeconds);
}

/** Whether the rate alone could trip the rule (above the floor): only then is a baseline worth reading. */
export function isSuspect(rule: BreakerRule, reading: Pick<WindowReading, 'micros' | 'topCall'>): boolean {
  return rateOf(rule, reading.micros) > rule.floorMicrosPerMinute || loopOf(rule, reading) !== undefined;
}

function loopOf(rule: BreakerRule, reading: Pick<WindowReading, 'topCall'>): (CallKey & { calls: number }) | undefined {
  return rule.loopRepeats > 0 && reading.topCall && reading.topCall.calls > rule.loopRepeats ? reading.topCall : undefined;
}

/**
 * Trips on a loop (one model and prompt hash repeated more than `loopRepeats` times in the loop
 * window), or on rate: above the absolute floor AND above `multiple` × the baseline.
 */
export function decideTrip(rule: BreakerRule, reading: Pick<WindowReading, 'micros' | 'topCall'>, baseline: Baseline): TripDecision {
  const rateMicrosPerMinute = rateOf(rule, reading.micros);
  const loop = loopOf(rule, reading);
  if (loop) return { trip: true, reason: 'loop', rateMicrosPerMinute, baseline, loop };
  if (rateMicrosPerMinute > rule.floorMicrosPerMinute && rateMicrosPerMinute > rule.multiple * baseline.microsPerMinute) return { trip: true, reason: 'rate', rateMicrosPerMinute, baseline };
  return { trip: false };
}
