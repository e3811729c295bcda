import { medianOf } from './trip-decision';

/** A stored (scope instance, minute) total, as the breaker reads its history. */
export interface MinuteTotal {
  minute: number;
  micros: number;
  calls?: Record<string, number>;
}

/**
 * The minutes a baseline is taken from: whole minutes of the last hour that ended before the rule's
 * window began, so the burst being judged never raises its own baseline.
 */
export function baselineMinutes(minutes: readonly MinuteTotal[], nowMs: number, windowSeconds: number): number[] {
  const windowStart = nowMs - windowSeconds * 1000;
  return minutes.filter((m) => m.minute + 60_000 <= windowStart && m.minute >= nowMs - 3_600_000).map((m) => m.micros);
}

/**
 * The spend of the last `windowSeconds` from stored minutes (every aggregator instance's share),
 * a partly covered minute counted pro rata — the fleet-wide view a single instance's memory lacks.
 */
export function windowMicrosOf(minutes: readonly MinuteTotal[], nowMs: number, windowSeconds: number): number {
  const windowStart = nowMs - windowSeconds * 1000;
  let micros = 0;
  for (const m of minutes) {
    const end = Math.min(m.minute + 60_000, nowMs);
    const overlap = end - Math.max(m.minute, windowStart);
    if (overlap <= 0) continue;
    micros += m.micros * Math.min(1, overlap / (end - m.minute));
  }
  return Math.round(micros);
}

/** Peers' baselines as the budget tick keeps them: median per-agent minute spend, fleet-wide and per team, over the last hour. */
export interface PeerBaselines {
  fleet: number;
  teams: Record<string, number>;
}

/** Per-minute medians kept by the tick (`[minute, median]`, the last hour), and the baselines they give. */
export interface PeerHistory {
  fleet: [number, number][];
  teams: Record<string, [number, number][]>;
}

/**
 * Adds one finished minute's per-agent totals to the peers' history (dropping what is over an hour
 * old) and returns the new history with its baselines: the median of each series' minute medians.
 */
export function updatePeerHistory(history: PeerHistory, minute: number, agents: readonly { micros: number; team?: string }[]): { history: PeerHistory; baselines: PeerBaselines } {
  const keep = (series: [number, number][] | undefined) => (series ?? []).filter(([m]) => m > minute - 3_600_000 && m !== minute);
  const next: PeerHistory = { fleet: keep(history.fleet), teams: {} };
  const active = agents.filter((a) => a.micros > 0);
  if (active.length > 0) next.fleet.push([minute, medianOf(active.map((a) => a.micros))]);
  const byTeam = new Map<string, number[]>();
  for (const a of active) if (a.team) byTeam.set(a.team, [...(byTeam.get(a.team) ?? []), a.micros]);
  for (const team of new Set([...Object.keys(history.teams ?? {}), ...byTeam.keys()])) {
    const series = keep(history.teams?.[team]);
    const values = byTeam.get(team);
    if (values) series.push([minute, medianOf(values)]);
    if (series.length > 0) next.teams[team] = series;
  }
  const baselines: PeerBaselines = { fleet: medianOf(next.fleet.map(([, v]) => v)), teams: Object.fromEntries(Object.entries(next.teams).map(([t, s]) => [t, medianOf(s.map(([, v]) => v))])) };
  return { history: next, baselines };
}
