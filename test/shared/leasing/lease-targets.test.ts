import { Timestamp } from '@google-cloud/firestore';
import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, type BudgetConfig } from '../../../shared/budget/budget-config';
import { windowOf } from '../../../shared/budget/budget-window';
import type { ScopedBudgetInput } from '../../../shared/budget/scoped-budget';
import { HardBudgetExceededError } from '../../../shared/leasing/hard-budget-error';
import { hardTargetsFor } from '../../../shared/leasing/lease-targets';
import { ALLOWANCE_TARGET_DEFAULTS, fleetAllowance, scopedAllowance } from '../../../shared/store/allowance-target';

const config = (scoped: ScopedBudgetInput[], extra: Partial<BudgetConfig> = {}): BudgetConfig => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, ...extra, scoped });
const ids = (c: BudgetConfig, subject: Parameters<typeof hardTargetsFor>[1], category: Parameters<typeof hardTargetsFor>[2] = 'AI_API_CALLS') => hardTargetsFor(c, subject, category, () => c).map((t) => t.id);

const AGENT_DAY = { id: 'agent-day', scope: 'agent:*', window: 'day', amountMicros: 5_000_000, mode: 'hard' } as const;
const ledgerEntry = (category: string, amountMicros: number, event: object) => ({ category, amountMicros, event: JSON.stringify(event) });

describe('hardTargetsFor', () => {
  it('takes the fleet hard budgets and every hard scoped budget whose scope takes the call', () => {
    const c = config(
      [
        AGENT_DAY,
        { id: 'team-month', scope: 'team:*', window: 'month', amountMicros: 50_000_000, mode: 'hard' },
        { id: 'search-soft', scope: 'team:search', window: 'day', amountMicros: 1_000_000 },
        { id: 'flash-hour', scope: 'model:gemini-2.5-flash', window: 'hour', amountMicros: 1_000_000, mode: 'hard' },
        { id: 'storage-day', scope: 'agent:*', category: 'STORAGE', window: 'day', amountMicros: 1_000_000, mode: 'hard' },
        { id: 'nightly', scope: 'tag:nightly', window: 'week', amountMicros: 1_000_000, mode: 'hard' },
      ],
      { budgetMode: { TOTAL: 'hard' } },
    );
    expect(ids(c, { source: 'writer-1', attribution: { team: 'search' } })).toEqual(['fleet:TOTAL', 'scoped:agent-day|agent:writer-1', 'scoped:team-month|team:search']);
    expect(ids(c, { source: 'writer-1', attribution: { tags: ['nightly'] }, model: 'gemini-2.5-flash' })).toEqual([
      'fleet:TOTAL',
      'scoped:agent-day|agent:writer-1',
      'scoped:flash-hour|model:gemini-2.5-flash',
      'scoped:nightly|tag:nightly',
    ]);
    expect(ids(c, { source: 'writer-1' }, 'STORAGE')).toEqual(['fleet:TOTAL', 'scoped:agent-day|agent:writer-1', 'scoped:storage-day|agent:writer-1']);
  });

  it('has nothing to lease when every budget is soft, or a hard one is a shadow (recorded, never enforced)', () => {
    expect(ids(config([{ ...AGENT_DAY, mode: 'soft' }]), { source: 'writer-1' })).toEqual([]);
    const parsed = config([AGENT_DAY]);
    const shadow = { ...parsed, scoped: parsed.scoped!.map((b) => ({ ...b, shadow: true })) };
    expect(ids(shadow, { source: 'writer-1' })).toEqual([]);
  });

  it('gives each window of the budget in its time zone its own allowance, never usable past its end', () => {
    const c = config([{ ...AGENT_DAY, timezone: 'Europe/Paris' }]);
    const [target] = hardTargetsFor(c, { source: 'writer-1' }, 'AI_API_CALLS', () => c);
    // 22:59:59 UTC on 7 December is 23:59:59 in Paris; a second later the next Paris day begins.
    const before = target!.allowanceAt(Date.UTC(2026, 11, 7, 22, 59, 59));
    const after = target!.allowanceAt(Date.UTC(2026, 11, 7, 23, 0, 0));
    expect(before).toMatchObject({ budget: 'agent-day', scope: 'agent:writer-1', window: 'day', windowId: '2026-12-07', windowEndMillis: Date.UTC(2026, 11, 7, 23) });
    expect(after.windowId).toBe('2026-12-08');
    expect(before.docId(3)).toBe('agent-day%7Cagent%3Awriter-1%7C2026-12-07~3');
    expect(after.docId(3)).not.toBe(before.docId(3));
    expect(target!.budgetMicros()).toBe(5_000_000);
  });

  it('follows the budget as the config now has it', () => {
    let c = config([AGENT_DAY]);
    const [target] = hardTargetsFor(c, { source: 'writer-1' }, 'AI_API_CALLS', () => c);
    c = config([{ ...AGENT_DAY, window: 'week', amountMicros: 9_000_000 }]);
    expect(target!.budgetMicros()).toBe(9_000_000);
    expect(target!.allowanceAt(Date.UTC(2026, 11, 9)).windowId).toBe('2026-W50');
  });
});

describe('allowance targets', () => {
  const window = windowOf('day', 'UTC', new Date(Date.UTC(2026, 11, 7, 12)));

  it('keep the fleet documents as they were and give scoped ones names that cannot collide, with a TTL', () => {
    const fleet = fleetAllowance('2026-12', 'AI_API_CALLS', Date.UTC(2027, 0, 1));
    expect(fleet.docId(2)).toBe('2026-12_AI_API_CALLS_2');
    expect(fleet.fields()).toEqual({ period: '2026-12', key: 'AI_API_CALLS' });
    const scoped = scopedAllowance(parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, scoped: [AGENT_DAY] }).scoped![0]!, 'agent:a/b', window);
    expect(scoped.docId(0)).toBe('agent-day%7Cagent%3Aa%2Fb%7C2026-12-07~0');
    expect(scoped.fields()).toMatchObject({
      counter: 'agent-day|agent:a/b|2026-12-07',
      budgetId: 'agent-day',
      scope: 'agent:a/b',
      windowId: '2026-12-07',
      expireAt: Timestamp.fromMillis(Date.UTC(2026, 11, 8) + ALLOWANCE_TARGET_DEFAULTS.scopedRetentionDays * 86_400_000),
    });
  });

  it('count for a reaped lease only the ledger entries of the budget: its category, and its scope instance by the event', () => {
    const budget = parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, scoped: [{ id: 'search-ai', scope: 'team:search', category: 'AI_API_CALLS', window: 'day', amountMicros: 1, mode: 'hard' }] }).scoped![0]!;
    const target = scopedAllowance(budget, 'team:search', window);
    const event = (team: string | undefined, category = 'AI_API_CALLS') => ({ source: 'w', payload: { category, amountMicros: 5, ...(team ? { attribution: { team } } : {}) } });
    expect(target.ledgerFields).toContain('event');
    expect(target.counts(ledgerEntry('AI_API_CALLS', 5, event('search')))).toBe(true);
    expect(target.counts(ledgerEntry('AI_API_CALLS', 5, event('archive')))).toBe(false);
    expect(target.counts(ledgerEntry('AI_API_CALLS', 5, event(undefined)))).toBe(false);
    expect(target.counts(ledgerEntry('STORAGE', 5, event('search', 'STORAGE')))).toBe(false);
    const model = scopedAllowance({ ...budget, id: 'flash', scope: 'model:gemini-2.5-flash', category: undefined }, 'model:gemini-2.5-flash', window);
    expect(model.counts(ledgerEntry('AI_API_CALLS', 5, { source: 'w', payload: { category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-flash', inputTokens: 1, outputTokens: 1 } } }))).toBe(true);
    expect(model.counts(ledgerEntry('AI_API_CALLS', 5, { source: 'w', payload: { category: 'AI_API_CALLS', usage: { model: 'gemini-2.5-pro', inputTokens: 1, outputTokens: 1 } } }))).toBe(false);
    const fleet = fleetAllowance('2026-12', 'AI_API_CALLS', 0);
    expect([fleet.counts({ category: 'AI_API_CALLS', amountMicros: 1 }), fleet.counts({ category: 'STORAGE', amountMicros: 1 })]).toEqual([true, false]);
  });
});

describe('HardBudgetExceededError', () => {
  const numbers = { estimateMicros: 1_050, remainingMicros: 800, largestGrantMicros: 800, leasedMicros: 40_000, budgetMicros: 5_000_000 };

  it('names a scoped budget, its scope instance and its window', () => {
    const error = new HardBudgetExceededError({ budget: 'agent-day', scope: 'agent:writer-1', window: 'day', periodId: '2026-12-07', ...numbers });
    expect(error.message).toBe('hard budget agent-day (agent:writer-1, day 2026-12-07) refused a call estimated at $0.001050: $0.000800 left of $5.00, $0.04 leased to running agents');
  });

  it('names a fleet budget by its month, as before', () => {
    const error = new HardBudgetExceededError({ budget: 'AI_API_CALLS', scope: 'fleet', window: 'month', periodId: '2026-12', ...numbers });
    expect(error.message).toMatch(/^hard budget AI_API_CALLS \(2026-12\) refused/);
  });
});
