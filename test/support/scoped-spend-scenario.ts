import type { Firestore } from '@google-cloud/firestore';
import { withBudget, withScopedBudget } from '../../shared/budget/budget-config';
import { windowOf } from '../../shared/budget/budget-window';
import { counterKeyOf, scopedBudgetSchema, type ScopedBudget } from '../../shared/budget/scoped-budget';
import { scopedAlertIdOf } from '../../shared/budget/scoped-evaluation';
import { periodOf } from '../../shared/basics/period';
import type { Attribution } from '../../shared/contracts/attribution';
import { newEventId } from '../../shared/contracts/event-id';
import type { CostCategory } from '../../shared/contracts/vocabulary';
import { createPublisher, type GovernorPublisher } from '../../shared/publisher/publisher';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';

/**
 * A fleet for the scoped reliability tests: agents in three teams of different sizes, a third of
 * them tagged `nightly`, each spending a share of its daily budget that crosses a different set of
 * thresholds (all three, 80 and 95 %, 80 % only, none). Expected totals and alerts are computed
 * here by hand from the events the agents published, not by the spend path's code.
 */
export const SCENARIO_BUDGETS: readonly ScopedBudget[] = [
  { id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000 },
  { id: 'team-monthly', scope: 'team:*', window: 'month', amountMicros: 7_000_000 },
  { id: 'nightly-weekly', scope: 'tag:nightly', window: 'week', amountMicros: 6_800_000 },
].map((b) => scopedBudgetSchema.parse(b));

/** The fleet's monthly total budget beside them (a fleet budget is a monthly one: alerts `budget_TOTAL_<period>_<t>`). */
export const SCENARIO_FLEET_TOTAL_MICROS = 20_000_000;

/** Each agent's day, by its index mod 4: 105 %, 96 %, 85 %, 40 % of its $1 daily budget. */
const AGENT_SHARES_MICROS = [1_050_000, 960_000, 850_000, 400_000] as const;
const CATEGORIES: readonly CostCategory[] = ['AI_API_CALLS', 'COMPUTE', 'STORAGE'];

export interface ScenarioAgent {
  source: string;
  attribution: Attribution;
  /** What the agent spends over the scenario, split evenly over its events. */
  totalMicros: number;
}

/**
 * 24 agents: half in `alpha` (140 % of its monthly budget), a third in `beta` (93 %), the rest in
 * `gamma` (47 %); every third tagged `nightly` (96 % of its weekly budget); the fleet at 98 %.
 */
export function scenarioAgents(count = 24): ScenarioAgent[] {
  return Array.from({ length: count }, (_, i) => ({
    source: `agent-${String(i).padStart(2, '0')}`,
    attribution: { team: i < count / 2 ? 'alpha' : i < (count * 5) / 6 ? 'beta' : 'gamma', ...(i % 3 === 0 ? { tags: ['nightly', 'batch'] } : { tags: ['interactive'] }) },
    totalMicros: AGENT_SHARES_MICROS[i % 4] as number,
  }));
}

/** One cost an agent spends: its share split in `parts` (alternately 7 µUSD above and below, so amounts differ). */
export interface PlannedCost {
  agent: ScenarioAgent;
  category: CostCategory;
  amountMicros: number;
}

/** Every agent's spend in `parts` events each (`parts` even), interleaved across agents. */
export function scenarioCosts(agents: readonly ScenarioAgent[], parts = 4): PlannedCost[] {
  if (parts % 2 !== 0) throw new Error('parts must be even: the ±7 µUSD offsets cancel in pairs');
  const costs: PlannedCost[] = [];
  for (let part = 0; part < parts; part++) {
    agents.forEach((agent, i) => {
      if (agent.totalMicros % parts !== 0) throw new Error(`${agent.source}: ${agent.totalMicros} does not split in ${parts}`);
      costs.push({ agent, category: CATEGORIES[(i + part) % CATEGORIES.length] as CostCategory, amountMicros: agent.totalMicros / parts + (part % 2 === 0 ? 7 : -7) });
    });
  }
  return costs;
}

/** Stores the scenario's budgets: the three scoped ones and the fleet's total. */
export async function configureScenarioBudgets(db: Firestore): Promise<void> {
  await updateBudgetConfig(db, (c) => SCENARIO_BUDGETS.reduce(withScopedBudget, withBudget(c, 'TOTAL', SCENARIO_FLEET_TOTAL_MICROS)));
}

/** A cost event as its agent published it. */
export interface PublishedCost {
  eventId: string;
  source: string;
  attribution: Attribution;
  category: CostCategory;
  amountMicros: number;
  occurredAt: Date;
}

/** One scoped counter's expected total, with what its alerts are named by. */
export interface ExpectedCounter {
  budget: ScopedBudget;
  instance: string;
  windowId: string;
  spentMicros: number;
}

/**
 * The agents' publishers (one each, with its attribution), and every cost they published:
 * what the expected totals are computed from.
 */
export class ScenarioPublishers {
  readonly published: PublishedCost[] = [];
  private readonly publishers = new Map<string, GovernorPublisher>();

  constructor(private readonly projectId: string) {}

  /** Publishes a cost `copies` times under one event id (a redelivery the agent itself causes). */
  emit(cost: PlannedCost, copies = 1): PublishedCost {
    const published: PublishedCost = { eventId: newEventId(), source: cost.agent.source, attribution: cost.agent.attribution, category: cost.category, amountMicros: cost.amountMicros, occurredAt: new Date() };
    const publisher = this.publisherOf(cost.agent);
    for (let copy = 0; copy < copies; copy++) {
      publisher.emit({ type: 'cost', eventId: published.eventId, occurredAt: published.occurredAt.toISOString(), payload: { category: cost.category, amountMicros: cost.amountMicros } });
    }
    this.published.push(published);
    return published;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.publishers.values()].map((p) => p.flush()));
  }

  /** Closes every publisher; resolves with the messages they published (copies included). */
  async close(): Promise<number> {
    const stats = await Promise.all([...this.publishers.values()].map((p) => p.close()));
    return stats.reduce((n, s) => n + s.published, 0);
  }

  private publisherOf(agent: ScenarioAgent): GovernorPublisher {
    let publisher = this.publishers.get(agent.source);
    if (!publisher) {
      publisher = createPublisher({ projectId: this.projectId, source: agent.source, attribution: agent.attribution, exitHook: false, batching: { maxMilliseconds: 5 } });
      this.publishers.set(agent.source, publisher);
    }
    return publisher;
  }
}

/**
 * Every scoped counter the costs fall under, by hand: the agent's day, its team's month and — for
 * a cost tagged `nightly` — the tag's ISO week, each in UTC at the cost's `occurredAt`.
 */
export function expectedScopeCounters(costs: readonly PublishedCost[], budgets: readonly ScopedBudget[] = SCENARIO_BUDGETS): Map<string, ExpectedCounter> {
  const byId = new Map(budgets.map((b) => [b.id, b]));
  const counters = new Map<string, ExpectedCounter>();
  const add = (budgetId: string, instance: string, cost: PublishedCost): void => {
    const budget = byId.get(budgetId);
    if (!budget) throw new Error(`no budget ${budgetId} in the scenario`);
    const windowId = windowOf(budget.window, 'UTC', cost.occurredAt).id;
    const key = counterKeyOf(budgetId, instance, windowId);
    const counter = counters.get(key) ?? { budget, instance, windowId, spentMicros: 0 };
    counter.spentMicros += cost.amountMicros;
    counters.set(key, counter);
  };
  for (const cost of costs) {
    add('agent-daily', `agent:${cost.source}`, cost);
    if (cost.attribution.team) add('team-monthly', `team:${cost.attribution.team}`, cost);
    if (cost.attribution.tags?.includes('nightly')) add('nightly-weekly', 'tag:nightly', cost);
  }
  return counters;
}

/** The fleet's expected spend per month (by category and TOTAL). */
export function expectedFleetTotals(costs: readonly PublishedCost[]): Map<string, Record<string, number>> {
  const byPeriod = new Map<string, Record<string, number>>();
  for (const cost of costs) {
    const totals = byPeriod.get(periodOf(cost.occurredAt).id) ?? { TOTAL: 0 };
    totals[cost.category] = (totals[cost.category] ?? 0) + cost.amountMicros;
    totals.TOTAL = (totals.TOTAL ?? 0) + cost.amountMicros;
    byPeriod.set(periodOf(cost.occurredAt).id, totals);
  }
  return byPeriod;
}

/** The thresholds (in %) a spend crosses, in integers: no float rounding decides an alert. */
function crossedPercents(spentMicros: number, budgetMicros: number): number[] {
  return [80, 95, 100].filter((pct) => spentMicros * 100 >= pct * budgetMicros);
}

/** Every alert id the final totals call for: each scoped counter's and the fleet total's crossed thresholds. */
export function expectedAlertIds(costs: readonly PublishedCost[]): string[] {
  const scoped = [...expectedScopeCounters(costs).values()].flatMap((c) => crossedPercents(c.spentMicros, c.budget.amountMicros).map((pct) => scopedAlertIdOf(c.budget.id, c.instance, c.windowId, pct / 100)));
  const fleet = [...expectedFleetTotals(costs)].flatMap(([periodId, totals]) => crossedPercents(totals.TOTAL ?? 0, SCENARIO_FLEET_TOTAL_MICROS).map((pct) => `budget_TOTAL_${periodId}_${pct}`));
  return [...scoped, ...fleet].sort();
}
