import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTIONS } from '../../shared/basics/collections';
import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig } from '../../shared/budget/budget-config';
import { replaySpend, type ReplayCost, type ReplayResult } from '../../shared/budget/spend-replay';
import { newEventId } from '../../shared/contracts/event-id';
import { updateBudgetConfig } from '../../shared/store/budget-config-store';
import { governorCli } from '../support/governor-cli';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

/** The config tried live and replayed: per-agent days with a ladder, a team month, a small fleet AI budget. */
const proposal = {
  categories: { ...DEFAULT_BUDGET_CONFIG.categories, AI_API_CALLS: 19_000_000 },
  scoped: [
    { id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000, ladder: { steps: [{ at: 0.5, action: 'prefer-cache' }, { at: 0.8, action: 'downgrade' }, { at: 1, action: 'block' }] } },
    { id: 'team-monthly', scope: 'team:*', window: 'month', amountMicros: 12_500_000 },
  ],
};

/** A month of spend (November 2026) by three agents of one team: two calls a day, a third every fifth day. */
function month(): { event: Record<string, unknown>; cost: ReplayCost }[] {
  const out: { event: Record<string, unknown>; cost: ReplayCost }[] = [];
  for (let day = 1; day <= 30; day++) {
    const source = `agent-${(day % 3) + 1}`;
    const calls: [hour: number, payload: Record<string, unknown>, micros: number][] = [
      [9, { amountMicros: 450_000 }, 450_000],
      // gemini-2.5-pro: 160k input × $1.25/M + 20k output × $10/M = $0.40, priced by the aggregator.
      [15, { usage: { model: 'gemini-2.5-pro', inputTokens: 160_000, outputTokens: 20_000 } }, 400_000],
      ...(day % 5 === 0 ? [[18, { amountMicros: 200_000 }, 200_000] as [number, Record<string, unknown>, number]] : []),
    ];
    for (const [hour, payload, micros] of calls) {
      const occurredAt = new Date(Date.UTC(2026, 10, day, hour)).toISOString();
      const eventId = newEventId();
      const attribution = { team: 'search' };
      out.push({
        event: { eventId, schemaVersion: 1, type: 'cost', source, occurredAt, payload: { category: 'AI_API_CALLS', ...payload, attribution } },
        cost: { eventId, at: new Date(occurredAt), source, category: 'AI_API_CALLS', amountMicros: micros, attribution, ...(payload.usage ? { usage: payload.usage as ReplayCost['usage'] } : {}) },
      });
    }
  }
  return out;
}

type Alerts = { alertId: string; costMicros: number }[];
const alertsOf = (r: ReplayResult): Alerts => r.moments.flatMap((m) => (m.kind === 'alert' ? [{ alertId: m.alertId, costMicros: m.costMicros }] : []));

describe('governor budget simulate: a recorded month replayed (issue 23)', () => {
  let stack: TestStack;
  const governor = governorCli(() => stack.clientEnv);

  beforeAll(async () => {
    stack = await startTestStack({ functions: ['spend-aggregator'], functionEnv: { GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0' } });
    await updateBudgetConfig(stack.db, (c) => parseBudgetConfig({ ...c, ...proposal }));
  });
  afterAll(async () => stack?.close());

  it('reproduces the alerts the live path raised, in order', async () => {
    const events = month();
    const expected = replaySpend(parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, ...proposal }), events.map((e) => e.cost));
    // The scenario crosses every kind of threshold, never two budgets on one event (their alerts would tie in time).
    const alertEvents = expected.moments.filter((m) => m.kind === 'alert');
    expect(new Set(alertEvents.map((m) => m.alertId.split('_')[1])).size).toBeGreaterThanOrEqual(3);
    for (const m of alertEvents) expect(alertEvents.filter((o) => o.eventId === m.eventId).every((o) => o.budget === m.budget)).toBe(true);

    const topic = stack.pubsub.topic(stack.topology.topics.cost);
    for (const { event } of events) {
      await topic.publishMessage({ json: event });
      const id = event.eventId as string;
      await waitFor(async () => (await stack.db.collection(COLLECTIONS.costEvents).doc(id).get()).exists, (e) => e, 20_000, `ledger entry ${id}`);
      // One event at a time, its alerts raised before the next: the live order is the event order.
      for (const m of alertEvents.filter((a) => a.eventId === id)) {
        const alertId = m.kind === 'alert' ? m.alertId : '';
        await waitFor(async () => (await stack.db.collection(COLLECTIONS.budgetAlerts).doc(alertId).get()).exists, (e) => e, 20_000, `alert ${alertId}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const raised = (await stack.db.collection(COLLECTIONS.budgetAlerts).get()).docs
      .filter((d) => d.get('kind') === 'budget')
      .map((d) => ({ alertId: d.id, costMicros: d.get('costMicros') as number, raisedAt: d.get('raisedAt') as string }))
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.alertId.localeCompare(b.alertId))
      .map(({ alertId, costMicros }) => ({ alertId, costMicros }));
    expect(raised.length).toBeGreaterThan(10);

    const dir = mkdtempSync(join(tmpdir(), 'governor-simulate-'));
    writeFileSync(join(dir, 'proposed.json'), JSON.stringify(proposal));
    const run = await governor('budget', 'simulate', '--config', join(dir, 'proposed.json'), '--from', '2026-11-01', '--to', '2026-12-01', '--json');
    expect(run.stderr).toBe('');
    const simulated = JSON.parse(run.stdout) as ReplayResult;
    expect(simulated.events).toBe(events.length);
    const inOrder = (a: Alerts, moments: ReplayResult['moments']) => {
      const at = new Map(moments.flatMap((m) => (m.kind === 'alert' ? [[m.alertId, m.at] as const] : [])));
      return [...a].sort((x, y) => (at.get(x.alertId) ?? '').localeCompare(at.get(y.alertId) ?? '') || x.alertId.localeCompare(y.alertId));
    };
    expect(inOrder(alertsOf(simulated), simulated.moments)).toEqual(raised);
    expect(simulated.moments.some((m) => m.kind === 'step' && m.action === 'downgrade')).toBe(true);
    expect(simulated.effects.blocked.calls).toBeGreaterThan(0);

    const human = await governor('budget', 'simulate', '--config', join(dir, 'proposed.json'), '--from', '2026-11-01', '--to', '2026-12-01');
    expect(human.stdout).toContain(`Replayed ${events.length} recorded costs`);
    expect(human.stdout).toMatch(/ladder step downgrade \(from 80 %\)\s+agent-daily agent:agent-\d 2026-11-\d\d/);
  });

  it('replays proposed breaker rules over the same ledger: when each would have tripped, and what its pause would have stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'governor-simulate-'));
    // A floor of 1 µUSD a minute and no history: every agent's first spend trips it, and its week-long
    // pause meets its later calls (an extreme rule, to see it fire).
    writeFileSync(join(dir, 'breakers.json'), JSON.stringify({ breakers: { rules: [{ id: 'agent-all', floorMicrosPerMinute: 1, multiple: 1, cooldownMinutes: 10_080 }] } }));
    const run = await governor('budget', 'simulate', '--config', join(dir, 'breakers.json'), '--from', '2026-11-01', '--to', '2026-12-01', '--json');
    expect(run.stderr).toBe('');
    const simulated = JSON.parse(run.stdout) as ReplayResult & { trips: { rule: string; scope: string; reason: string; at: string }[]; effects: { paused: { calls: number } } };
    expect(simulated.trips.length).toBeGreaterThan(0);
    expect(simulated.trips.every((t) => t.rule === 'agent-all' && t.scope.startsWith('agent:') && t.reason === 'rate')).toBe(true);
    expect([...simulated.trips].sort((x, y) => x.at.localeCompare(y.at))).toEqual(simulated.trips);
    expect(simulated.effects.paused.calls).toBeGreaterThan(0);
    const human = await governor('budget', 'simulate', '--config', join(dir, 'breakers.json'), '--from', '2026-11-01', '--to', '2026-12-01');
    expect(human.stdout).toMatch(/breaker trip \(rate\) \$[\d.]+\/min\s+breaker agent-all agent:/);
    expect(human.stdout).toMatch(/Breakers would have paused their agents for \d+ calls?/);

    writeFileSync(join(dir, 'bad-breakers.json'), JSON.stringify({ breakers: { rules: [{ id: 'agent-all', floorMicrosPerMinute: -5 }] } }));
    const bad = await governor('budget', 'simulate', '--config', join(dir, 'bad-breakers.json'), '--from', '2026-11-01', '--to', '2026-12-01');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('breakers: rules.0.floorMicrosPerMinute');
  });

  it('refuses a bad proposal naming the field, and bad dates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'governor-simulate-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ scoped: [{ ...proposal.scoped[0], ladder: { steps: [{ at: 0.5, action: 'nap' }] } }] }));
    const bad = await governor('budget', 'simulate', '--config', join(dir, 'bad.json'), '--from', '2026-11-01', '--to', '2026-12-01');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('scoped.0.ladder.steps.0.action');
    const dates = await governor('budget', 'simulate', '--config', join(dir, 'bad.json'), '--from', 'last tuesday', '--to', '2026-12-01');
    expect(dates.stderr).toContain('--from "last tuesday" is not a date (2026-11-01), an instant (2026-11-01T08:00:00Z), now, or a time ago (30d, 12h)');
  });
});
