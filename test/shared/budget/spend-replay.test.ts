import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig } from '../../../shared/budget/budget-config';
import { replaySpend, type ReplayCost } from '../../../shared/budget/spend-replay';
import { scopedAlertIdOf } from '../../../shared/budget/scoped-evaluation';

const config = parseBudgetConfig({
  ...DEFAULT_BUDGET_CONFIG,
  scoped: [
    { id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000, ladder: { steps: [{ at: 0.5, action: 'prefer-cache' }, { at: 0.8, action: 'downgrade' }, { at: 1, action: 'block' }] } },
    { id: 'team-trial', scope: 'team:*', window: 'month', amountMicros: 2_000_000, shadow: true },
  ],
});

let n = 0;
const cost = (at: string, amountMicros: number, source = 'writer', model = 'gemini-2.5-pro'): ReplayCost => ({
  eventId: `e${String(++n).padStart(3, '0')}`,
  at: new Date(at),
  source,
  category: 'AI_API_CALLS',
  amountMicros,
  attribution: { team: 'search' },
  usage: { model, inputTokens: 1_000, outputTokens: 1_000 },
});

describe('replaySpend', () => {
  const costs = [
    cost('2026-11-03T08:00:00Z', 400_000),
    cost('2026-11-03T09:00:00Z', 200_000), // 60 %: prefer-cache
    cost('2026-11-03T10:00:00Z', 250_000), // 85 %: WARNING, downgrade
    cost('2026-11-03T11:00:00Z', 11_250), // downgraded (gemini-2.5-pro → flash)
    cost('2026-11-03T12:00:00Z', 200_000), // 106 %: CRITICAL + EXCEEDED, throttled → blocked, block
    cost('2026-11-03T13:00:00Z', 50_000), // blocked
    cost('2026-11-04T08:00:00Z', 100_000), // a new day: nothing in force
    cost('2026-11-04T09:00:00Z', 500_000, 'reader'), // reader at 50 %: prefer-cache; team at 85.6 %: a shadow WARNING
  ];
  const result = replaySpend(config, costs);

  it('says when each alert, flag and ladder step would have happened, in order, with the live path ids', () => {
    const moments = result.moments.map((m) => `${m.at.slice(8, 13)} ${m.kind} ${m.budget} ${m.scope} ${m.kind === 'alert' ? m.alertId : m.kind === 'flag' ? m.level : m.action}${m.shadow ? ' shadow' : ''}`);
    expect(moments).toEqual([
      '03T09 step agent-daily agent:writer prefer-cache',
      `03T10 alert agent-daily agent:writer ${scopedAlertIdOf('agent-daily', 'agent:writer', '2026-11-03', 0.8)}`,
      '03T10 step agent-daily agent:writer downgrade',
      `03T12 alert agent-daily agent:writer ${scopedAlertIdOf('agent-daily', 'agent:writer', '2026-11-03', 0.95)}`,
      `03T12 alert agent-daily agent:writer ${scopedAlertIdOf('agent-daily', 'agent:writer', '2026-11-03', 1)}`,
      '03T12 flag agent-daily agent:writer blocked',
      '03T12 step agent-daily agent:writer block',
      '04T09 step agent-daily agent:reader prefer-cache',
      `04T09 alert team-trial team:search ${scopedAlertIdOf('team-trial', 'team:search', '2026-11', 0.8)} shadow`,
    ]);
  });

  it('counts the calls a block or a downgrade in force would have met, and what the downgrade saves', () => {
    expect(result.events).toBe(8);
    expect(result.spentMicros).toBe(1_711_250);
    expect(result.effects.blocked).toEqual({ calls: 1, micros: 50_000 });
    // The two calls after the downgrade step: 1,000 in + 1,000 out at flash's $0.30/$2.50 per M = $0.0028 each.
    expect(result.effects.downgraded).toEqual({ calls: 2, micros: 211_250, savedMicros: 211_250 - 2 * 2_800 });
    expect(result.effects.cacheOnly).toEqual({ calls: 0, micros: 0 });
  });

  it('raises the fleet budgets’ alerts by the same ids as the live path', () => {
    const fleet = replaySpend(parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, totalMicros: 1_000_000 }), costs.slice(0, 3));
    expect(fleet.moments.filter((m) => m.kind === 'alert').map((m) => (m.kind === 'alert' ? m.alertId : ''))).toEqual(['budget_TOTAL_2026-11_80']);
  });
});
