/**
 * bench/scopes' tables: throughput against the no-op ceiling, writes and reads per event, and how
 * the cost grows with the number of agents — measured at the sizes run, and at 100k computed from
 * the largest measured run's per-agent costs (documents and reads grow with the scope instances
 * touched; the per-event costs do not).
 */
import { fixed, table } from './bench-support';
import { FLEET_SHAPE } from './scope-fleet';
import type { SpendStats } from './spend-stats';

export interface LoadRun {
  consumer: 'spend' | 'noop';
  agents: number;
  events: number;
  seconds: number;
  perSecond: number;
  writes: { ledger: number; fleetShards: number; scopedCounters: number; flags: number; alerts: number };
  reads: Map<string, number>;
  /** Counter shard documents the run added to the `agent:*` daily window (its agents are new). */
  agentDocs: number;
  /** Counter shard documents of the `team:*` monthly window after the run (100 teams × ≤ 16 shards). */
  teamDocs: number;
  /** Median ms of one counter read (an aggregation query) right after the run, one at a time. */
  readMilliseconds: number;
  stats: SpendStats;
  /** The no-op run measured just before this one (the machine's load changes within a run). */
  ceiling?: LoadRun;
}

/** A run's share of the no-op ceiling measured next to it (else the run's first ceiling). */
export function shareOfCeiling(run: LoadRun, fallback: LoadRun): number {
  return run.perSecond / (run.ceiling ?? fallback).perSecond;
}

interface Measures {
  writesPerEvent: (r: LoadRun) => number;
  readsPerEvent: (r: LoadRun) => number;
}

/** A reader's listeners: the fleet flags document, one `in` query by id over its scope instances, the model query. */
const LISTENERS_PER_READER = 3;
/** The documents that `in` query follows in this fleet: fleet, agent, team, tenant. */
const DOCS_PER_READER = 4;

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function scopeGrowthReport(ceiling: LoadRun, runs: readonly LoadRun[], m: Measures): string {
  const throughput = table([
    ['consumer', 'agents', 'events', 'seconds', 'events/s', '% of no-op (no-op just before)', 'writes/event (ledger + fleet shard + scoped + flags + alerts)', 'reads/event (by purpose)'],
    [`no-op (ceiling)`, '-', n(ceiling.events), fixed(ceiling.seconds, 1), fixed(ceiling.perSecond, 0), '100 %', '-', '-'],
    ...runs.map((r) => {
      const w = r.writes;
      const per = (x: number) => fixed(x / r.events, 2);
      return [
        'spend-aggregator',
        n(r.agents),
        n(r.events),
        fixed(r.seconds, 1),
        fixed(r.perSecond, 0),
        `${fixed(100 * shareOfCeiling(r, ceiling), 0)} % (${fixed((r.ceiling ?? ceiling).perSecond, 0)}/s)`,
        `${fixed(m.writesPerEvent(r), 2)} = ${per(w.ledger)} + ${per(w.fleetShards)} + ${per(w.scopedCounters)} + ${per(w.flags)} + ${per(w.alerts)}`,
        `${fixed(m.readsPerEvent(r), 3)} (${[...r.reads].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`,
      ];
    }),
  ]);
  const largest = runs.reduce((a, b) => (b.agents > a.agents ? b : a));
  const scopeReads = (r: LoadRun) => r.reads.get('scope-totals') ?? 0;
  const rows = runs.map((r) => ({ label: `${n(r.agents)} (measured)`, agents: r.agents, agentDocs: r.agentDocs, teamDocs: r.teamDocs, scopeReads: scopeReads(r), events: r.events }));
  const k = 100_000 / largest.agents;
  rows.push({ label: '100,000 (computed)', agents: 100_000, agentDocs: largest.agentDocs * k, teamDocs: largest.teamDocs, scopeReads: scopeReads(largest) * k, events: largest.events * k });
  const growth = table([
    ['agents', 'agent:* day counter docs (per agent)', 'team:* month docs', 'flag docs', 'scope-totals reads (per agent)', 'readers × listeners', 'watchers of one agent / team / tenant flag', 'budget tick reads/min if all spent in the last 150 s'],
    ...rows.map((r) => [
      r.label,
      `${n(r.agentDocs)} (${fixed(r.agentDocs / r.agents, 2)})`,
      n(r.teamDocs),
      '0 (only crossed instances)',
      `${n(r.scopeReads)} (${fixed(r.scopeReads / r.agents, 2)})`,
      `${n(r.agents)} × ${LISTENERS_PER_READER} (${DOCS_PER_READER} docs by id + model query each)`,
      `1 / ${n(r.agents / FLEET_SHAPE.teams)} / ${n(r.agents / FLEET_SHAPE.tenants)}`,
      // The tick's query returns every counter shard written lately, then reads each counter once.
      n(r.agentDocs + r.teamDocs + r.agents + FLEET_SHAPE.teams),
    ]),
  ]);
  return [
    throughput,
    ...runs.map((r) => `spend, ${n(r.agents)} agents: ${fixed((1000 * r.seconds) / r.events, 2)} ms/event — ${r.stats.describe(r.events)}; one counter read alone afterwards: ${fixed(r.readMilliseconds, 1)} ms (median)`),
    '',
    `Cost growth with the number of distinct agents (each sending ${fixed(largest.events / largest.agents, 0)} event(s) back to back; 100k computed from the ${n(largest.agents)}-agent run's per-agent figures, not run):`,
    growth,
  ].join('\n');
}
