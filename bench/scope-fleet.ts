/**
 * The fleet bench/scopes drives: N distinct agents in 100 teams and 20 tenants, every event under
 * an `agent:*` daily, a `team:*` monthly and the fleet's monthly budgets — and what its spend left
 * in Firestore (documents per scope instance, writes), counted the way bench/spend counts.
 */
import { AggregateField, type Firestore } from '@google-cloud/firestore';
import { BUDGET_KEYS, withBudget, withScopedBudget, type BudgetConfig } from '../shared/budget/budget-config';
import { windowOf } from '../shared/budget/budget-window';
import { counterKeyOf, type ScopedBudget } from '../shared/budget/scoped-budget';
import { COLLECTIONS } from '../shared/basics/collections';
import type { Attribution } from '../shared/contracts/attribution';
import { COST_CATEGORIES } from '../shared/contracts/vocabulary';
import type { GovernorPublisher } from '../shared/publisher/publisher';
import { readScopeTotals } from '../shared/store/scope-spend';
import { percentile } from './bench-support';

export const FLEET_SHAPE = { teams: 100, tenants: 20 } as const;

/** Every agent's own daily budget; a crossing event of 95 % of it is one `recordCost`. */
export const AGENT_DAILY_MICROS = 10_000_000;
export const TEAM_MONTHLY_MICROS = 10_000_000_000;
/** The fleet's monthly budgets, far from any threshold: only the scoped flags may move. */
const FLEET_MONTHLY_MICROS = 1_000_000_000_000;

export const AGENT_BUDGET: ScopedBudget = { id: 'bench-agent-day', scope: 'agent:*', window: 'day', timezone: 'UTC', amountMicros: AGENT_DAILY_MICROS, mode: 'soft' };
export const TEAM_BUDGET: ScopedBudget = { id: 'bench-team-month', scope: 'team:*', window: 'month', timezone: 'UTC', amountMicros: TEAM_MONTHLY_MICROS, mode: 'soft' };

/** The bench's config: the two templates and every fleet budget (total and categories). */
export function benchConfig(config: BudgetConfig): BudgetConfig {
  let next = withScopedBudget(withScopedBudget(config, AGENT_BUDGET), TEAM_BUDGET);
  for (const key of BUDGET_KEYS) next = withBudget(next, key, FLEET_MONTHLY_MICROS);
  return next;
}

/** Agent `i` of a population (`prefix` keeps runs apart: a new population is touched for the first time). */
export function agentOf(prefix: string, i: number): { source: string; attribution: Attribution } {
  return { source: `${prefix}-${i}`, attribution: { team: `team-${i % FLEET_SHAPE.teams}`, tenant: `tenant-${i % FLEET_SHAPE.tenants}` } };
}

/**
 * Publishes `perAgent` events for each of `agents` agents: each agent's events one after the other
 * (a task's calls), the agents in turn. Returns the µUSD published.
 */
export function publishFleet(publisher: GovernorPublisher, prefix: string, agents: number, perAgent: number): number {
  let micros = 0;
  for (let i = 0; i < agents; i++) {
    const { source, attribution } = agentOf(prefix, i);
    for (let k = 0; k < perAgent; k++) {
      const amountMicros = 1000 + ((i + k) % 97);
      micros += amountMicros;
      publisher.emit({ type: 'cost', source, payload: { category: COST_CATEGORIES[(i + k) % COST_CATEGORIES.length]!, amountMicros, attribution } });
    }
  }
  return micros;
}

/** What one budget's current window holds: counter shard documents, events and µUSD. */
export async function budgetWindowDocs(db: Firestore, budget: ScopedBudget, now = new Date()): Promise<{ documents: number; events: number; micros: number }> {
  const windowId = windowOf(budget.window, budget.timezone, now).id;
  const s = await db
    .collection(COLLECTIONS.scopeSpend)
    .where('budgetWindow', '==', `${budget.id}|${windowId}`)
    .aggregate({ documents: AggregateField.count(), events: AggregateField.sum('events'), micros: AggregateField.sum('spentMicros') })
    .get();
  return { documents: s.data().documents, events: s.data().events ?? 0, micros: s.data().micros ?? 0 };
}

/** Firestore state the write count is taken from: fleet shard commits, alert and scope flag documents. */
export async function writeMarks(db: Firestore, periodId: string): Promise<{ shardCommits: number; alerts: number; flagDocs: number }> {
  const [shards, alerts, flags] = await Promise.all([
    db.collection(COLLECTIONS.spendShards).where('period', '==', periodId).aggregate({ commits: AggregateField.sum('commits') }).get(),
    db.collection(COLLECTIONS.budgetAlerts).count().get(),
    db.collection(COLLECTIONS.scopeFlags).count().get(),
  ]);
  return { shardCommits: shards.data().commits ?? 0, alerts: alerts.data().count, flagDocs: flags.data().count };
}

/** Median ms of `samples` one-counter reads (the spend path's first-touch read), one at a time. */
export async function timeCounterReads(db: Firestore, prefix: string, samples: number): Promise<number> {
  const windowId = windowOf(AGENT_BUDGET.window, AGENT_BUDGET.timezone, new Date()).id;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = process.hrtime.bigint();
    await readScopeTotals(db, [counterKeyOf(AGENT_BUDGET.id, `agent:${agentOf(prefix, i).source}`, windowId)]);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return percentile(times, 50);
}
