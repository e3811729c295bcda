import { DEFAULT_BUDGET_CONFIG, parseBudgetConfig, withoutScopedBudget, withScopedBudget } from '../../../shared/budget/budget-config';
import { windowOf } from '../../../shared/budget/budget-window';
import { parseScope, scopeInstanceOf, scopeInstancesOfAgent } from '../../../shared/budget/scope';
import { budgetInstancesFor, counterKeyOf, scopedBudgetSchema, type ScopedBudget } from '../../../shared/budget/scoped-budget';
import { attributionSchema } from '../../../shared/contracts/attribution';
import { scopedCountersToEvaluate } from '../../../shared/budget/scoped-evaluation';
import { SpendView } from '../../../shared/budget/spend-view';

const hours = (span: { start: Date; end: Date }) => (span.end.getTime() - span.start.getTime()) / 3_600_000;
const budget = (over: Partial<ScopedBudget> & Pick<ScopedBudget, 'id' | 'scope' | 'window'>): ScopedBudget => scopedBudgetSchema.parse({ amountMicros: 5_000_000, ...over });

describe('scopes', () => {
  describe('parseScope', () => {
    it('accepts fleet, named instances and the agent, team and tenant templates', () => {
      expect(parseScope('fleet')).toEqual({ kind: 'fleet' });
      expect(parseScope('agent:blog-writer-1')).toEqual({ kind: 'agent', name: 'blog-writer-1' });
      expect(parseScope('agent:host/1234')).toEqual({ kind: 'agent', name: 'host/1234' });
      expect(parseScope('team:*')).toEqual({ kind: 'team', name: '*' });
      expect(parseScope('tenant:acme')).toEqual({ kind: 'tenant', name: 'acme' });
      expect(parseScope('tag:nightly')).toEqual({ kind: 'tag', name: 'nightly' });
      expect(parseScope('model:gemini-2.5-pro')).toEqual({ kind: 'model', name: 'gemini-2.5-pro' });
    });

    it('refuses unknown kinds, templates of tags and models, and bad names, saying what is accepted', () => {
      expect(() => parseScope('org:acme')).toThrow(/is not a scope: fleet, agent:<name>, agent:\*/);
      expect(() => parseScope('tag:*')).toThrow('only agent:*, team:* and tenant:* are templates');
      expect(() => parseScope('team:')).toThrow('the team name is missing');
      expect(() => parseScope('team:a b')).toThrow(/the team name is invalid \(letters, digits/);
    });
  });

  describe('scopeInstanceOf', () => {
    const subject = { source: 'writer-1', attribution: { team: 'search', tenant: 'acme', tags: ['nightly'] }, model: 'gemini-2.5-flash' };
    it('gives each agent, team and tenant its own instance of a template', () => {
      expect(scopeInstanceOf(parseScope('agent:*'), subject)).toBe('agent:writer-1');
      expect(scopeInstanceOf(parseScope('team:*'), subject)).toBe('team:search');
      expect(scopeInstanceOf(parseScope('tenant:*'), subject)).toBe('tenant:acme');
      expect(scopeInstanceOf(parseScope('fleet'), subject)).toBe('fleet');
    });

    it('applies a named scope only to what it names', () => {
      expect(scopeInstanceOf(parseScope('team:ads'), subject)).toBeUndefined();
      expect(scopeInstanceOf(parseScope('tag:nightly'), subject)).toBe('tag:nightly');
      expect(scopeInstanceOf(parseScope('tag:adhoc'), subject)).toBeUndefined();
      expect(scopeInstanceOf(parseScope('model:gemini-2.5-flash'), subject)).toBe('model:gemini-2.5-flash');
      expect(scopeInstanceOf(parseScope('team:*'), { source: 'loner' })).toBeUndefined();
    });

    it("lists every instance an agent's flags can come from", () => {
      expect(scopeInstancesOfAgent('writer-1', subject.attribution)).toEqual(['fleet', 'agent:writer-1', 'team:search', 'tenant:acme', 'tag:nightly']);
      expect(scopeInstancesOfAgent('loner', undefined)).toEqual(['fleet', 'agent:loner']);
    });
  });

  describe('attribution', () => {
    it('refuses more than 8 tags, repeated tags and names that cannot key a counter, naming the field', () => {
      expect(attributionSchema.safeParse({ team: 'search', tags: ['a', 'b'] }).success).toBe(true);
      expect(attributionSchema.safeParse({ tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }).error?.issues[0]?.message).toBe('at most 8 tags');
      expect(attributionSchema.safeParse({ tags: ['a', 'a'] }).error?.issues[0]?.message).toBe('tags must be distinct');
      expect(attributionSchema.safeParse({ team: 'a/b' }).error?.issues[0]?.path).toEqual(['team']);
      expect(attributionSchema.safeParse({ org: 'x' }).success).toBe(false);
    });
  });
});

describe('windowOf', () => {
  it('cuts UTC hours, days, ISO weeks and months on the calendar', () => {
    const at = new Date('2026-12-07T13:45:10.123Z');
    expect(windowOf('hour', 'UTC', at)).toEqual({ id: '2026-12-07T13+0000', start: new Date('2026-12-07T13:00:00Z'), end: new Date('2026-12-07T14:00:00Z') });
    expect(windowOf('day', 'UTC', at)).toEqual({ id: '2026-12-07', start: new Date('2026-12-07T00:00:00Z'), end: new Date('2026-12-08T00:00:00Z') });
    expect(windowOf('week', 'UTC', at)).toEqual({ id: '2026-W50', start: new Date('2026-12-07T00:00:00Z'), end: new Date('2026-12-14T00:00:00Z') });
    expect(windowOf('month', 'UTC', at)).toEqual({ id: '2026-12', start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  });

  it('numbers ISO weeks across the turn of the year', () => {
    expect(windowOf('week', 'UTC', new Date('2026-01-01T12:00:00Z'))).toMatchObject({ id: '2026-W01', start: new Date('2025-12-29T00:00:00Z') });
    expect(windowOf('week', 'UTC', new Date('2027-01-01T12:00:00Z'))).toMatchObject({ id: '2026-W53', start: new Date('2026-12-28T00:00:00Z') });
    expect(windowOf('week', 'UTC', new Date('2027-01-04T00:00:00Z'))).toMatchObject({ id: '2027-W01' });
  });

  it('follows the calendar of the zone: days of 23 and 25 hours at daylight-saving changes', () => {
    expect(hours(windowOf('day', 'Europe/Paris', new Date('2026-03-29T12:00:00Z')))).toBe(23);
    expect(hours(windowOf('day', 'Europe/Paris', new Date('2026-10-25T12:00:00Z')))).toBe(25);
    expect(hours(windowOf('day', 'America/New_York', new Date('2026-11-01T12:00:00Z')))).toBe(25);
    expect(windowOf('day', 'America/New_York', new Date('2026-12-07T03:00:00Z'))).toEqual({ id: '2026-12-06', start: new Date('2026-12-06T05:00:00Z'), end: new Date('2026-12-07T05:00:00Z') });
    expect(windowOf('month', 'Asia/Tokyo', new Date('2026-11-30T16:00:00Z'))).toMatchObject({ id: '2026-12', start: new Date('2026-11-30T15:00:00Z') });
    expect(windowOf('week', 'Europe/Paris', new Date('2026-03-30T10:00:00Z'))).toMatchObject({ start: new Date('2026-03-29T22:00:00Z'), end: new Date('2026-04-05T22:00:00Z') });
  });

  it('cuts hours on the zone clock, and tells the repeated hour of a change back apart', () => {
    expect(windowOf('hour', 'Asia/Kolkata', new Date('2026-12-07T13:45:00Z'))).toEqual({ id: '2026-12-07T19+0530', start: new Date('2026-12-07T13:30:00Z'), end: new Date('2026-12-07T14:30:00Z') });
    const first = windowOf('hour', 'Europe/Paris', new Date('2026-10-25T00:30:00Z'));
    const second = windowOf('hour', 'Europe/Paris', new Date('2026-10-25T01:30:00Z'));
    expect([first.id, second.id]).toEqual(['2026-10-25T02+0200', '2026-10-25T02+0100']);
  });

  it('starts a day skipped into at midnight at the instant the clock jumps', () => {
    // Santiago moves its clocks at midnight: 2026-09-06 starts at 01:00 local.
    const day = windowOf('day', 'America/Santiago', new Date('2026-09-06T12:00:00Z'));
    expect(hours(day)).toBe(23);
    expect(day.start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });
});

describe('scoped budgets in the config', () => {
  it('keeps a config stored before scoped budgets working, and adds, replaces and removes them by id', () => {
    const stored = parseBudgetConfig(JSON.parse(JSON.stringify(DEFAULT_BUDGET_CONFIG)));
    expect(stored.scoped).toBeUndefined();
    const daily = budget({ id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000 });
    const one = withScopedBudget(stored, daily);
    expect(one.scoped).toEqual([{ ...daily, timezone: 'UTC', mode: 'soft' }]);
    const replaced = withScopedBudget(one, { ...daily, amountMicros: 9_000_000 });
    expect(replaced.scoped?.map((b) => b.amountMicros)).toEqual([9_000_000]);
    expect(withoutScopedBudget(replaced, 'agent-daily').scoped).toEqual([]);
    expect(() => withoutScopedBudget(replaced, 'nope')).toThrow('no scoped budget "nope" (ids: agent-daily)');
  });

  it('refuses a bad scoped budget naming the field', () => {
    const bad = (over: Record<string, unknown>) => () => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, scoped: [{ id: 'x', scope: 'fleet', window: 'day', amountMicros: 1, ...over }] });
    expect(bad({ scope: 'org:1' })).toThrow(/scoped\.0\.scope: "org:1" is not a scope/);
    expect(bad({ window: 'fortnight' })).toThrow(/scoped\.0\.window/);
    expect(bad({ timezone: 'Mars/Olympus' })).toThrow(/scoped\.0\.timezone: an IANA time zone/);
    expect(bad({ amountMicros: 0 })).toThrow(/scoped\.0\.amountMicros/);
    expect(bad({ id: 'Bad Id' })).toThrow(/scoped\.0\.id/);
    expect(() => parseBudgetConfig({ ...DEFAULT_BUDGET_CONFIG, scoped: [budget({ id: 'a', scope: 'fleet', window: 'day' }), budget({ id: 'a', scope: 'fleet', window: 'hour' })] })).toThrow('budget id "a" is used twice');
  });

  it('finds every budget instance a cost counts under, by scope, category and window', () => {
    const budgets = [
      budget({ id: 'agent-daily', scope: 'agent:*', window: 'day' }),
      budget({ id: 'team-monthly', scope: 'team:*', window: 'month' }),
      budget({ id: 'storage-fleet', scope: 'fleet', window: 'week', category: 'STORAGE' }),
      budget({ id: 'ads', scope: 'team:ads', window: 'day', timezone: 'Europe/Paris' }),
    ];
    const at = new Date('2026-12-07T23:30:00Z');
    const found = budgetInstancesFor(budgets, { source: 'w1', attribution: { team: 'ads' } }, 'AI_API_CALLS', at);
    expect(found.map((f) => counterKeyOf(f.budget.id, f.instance, f.window.id))).toEqual(['agent-daily|agent:w1|2026-12-07', 'team-monthly|team:ads|2026-12', 'ads|team:ads|2026-12-08']);
  });
});

describe('scopedCountersToEvaluate', () => {
  const daily = budget({ id: 'agent-daily', scope: 'agent:*', window: 'day', amountMicros: 1_000_000 });
  const at = new Date('2026-12-07T12:00:00Z');
  const instance = { budget: daily, instance: 'agent:a', window: windowOf('day', 'UTC', at) };
  const key = counterKeyOf('agent-daily', 'agent:a', instance.window.id);
  const decide = (view: SpendView<string>, now = at.getTime()) => scopedCountersToEvaluate({ instances: [instance], view, now, flagLevel: () => 'none', alertKnown: () => false });

  it('reads a counter never read beside the event, unless what this instance committed alone reaches a threshold', () => {
    const view = new SpendView<string>();
    view.addOwnTo([key], 100_000);
    expect(decide(view)).toEqual({ near: [], refresh: [instance] });
    view.addOwnTo([key], 700_000);
    expect(decide(view)).toEqual({ near: [instance], refresh: [] });
  });

  it('reads before the ack near a threshold, refreshes a stale read beside it, and skips a fresh one far from it', () => {
    const view = new SpendView<string>();
    view.completeRead(view.beginRead(at.getTime()), { [key]: 100_000 });
    expect(decide(view, at.getTime() + 1_000)).toEqual({ near: [], refresh: [] });
    expect(decide(view, at.getTime() + 61_000)).toEqual({ near: [], refresh: [instance] });
    view.completeRead(view.beginRead(at.getTime() + 62_000), { [key]: 600_000 });
    // Past half the budget a read older than 2 s is refreshed.
    expect(decide(view, at.getTime() + 65_000)).toEqual({ near: [], refresh: [instance] });
    view.addOwnTo([key], 200_000);
    expect(decide(view, at.getTime() + 62_500)).toEqual({ near: [instance], refresh: [] });
  });
});
