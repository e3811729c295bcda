import { defaultAlertRouting, parseAlertRouting, routesFor } from '../../../shared/alerts/alert-routing';
import { OptionsError } from '../../../shared/contracts/validation-error';
import { budgetAlert, performanceAlert, runawayAlert, securityAlert } from '../../support/alert-fixtures';

describe('alert routing', () => {
  const routing = parseAlertRouting({
    from: 'governor@example.com',
    digestWindowSeconds: 60,
    routes: [
      { id: 'ops', to: ['ops@example.com'] },
      { id: 'security', kinds: ['security'], severities: ['CRITICAL'], to: ['sec@example.com', 'oncall@example.com'] },
      { id: 'ai-spend', kinds: ['budget', 'forecast'], categories: ['AI_API_CALLS'], to: ['ml@example.com'] },
    ],
  });

  describe('defaultAlertRouting', () => {
    it('sends everything to GOVERNOR_ALERT_EMAIL_TO from GOVERNOR_ALERT_EMAIL_FROM', () => {
      const d = defaultAlertRouting({ GOVERNOR_ALERT_EMAIL_TO: 'a@x.io, b@x.io', GOVERNOR_ALERT_EMAIL_FROM: 'gov@x.io' });
      expect(d).toEqual({ from: 'gov@x.io', digestWindowSeconds: 60, routes: [{ id: 'all', kinds: [], severities: [], categories: [], scopes: [], to: ['a@x.io', 'b@x.io'] }] });
      expect(() => parseAlertRouting(d)).not.toThrow();
    });
  });

  describe('parseAlertRouting', () => {
    it('names every bad field', () => {
      const attempt = () => parseAlertRouting({ from: 'nobody', digestWindowSeconds: -1, routes: [{ id: 'Bad Id', to: [] }] });
      expect(attempt).toThrow(OptionsError);
      expect(attempt).toThrow(/from: .*e-mail/);
      expect(attempt).toThrow(/digestWindowSeconds/);
      expect(attempt).toThrow(/routes\.0\.id/);
      expect(attempt).toThrow(/routes\.0\.to/);
    });

    it('refuses unknown keys and severities', () => {
      expect(() => parseAlertRouting({ from: 'a@b.io', digestWindowSeconds: 0, routes: [{ id: 'x', to: ['a@b.io'], severities: ['PANIC'] }] })).toThrow(/routes\.0\.severities\.0/);
      expect(() => parseAlertRouting({ from: 'a@b.io', digestWindowSeconds: 0, routes: [{ id: 'x', to: ['a@b.io'], recipients: [] }] })).toThrow(/recipients/);
    });
  });

  describe('routesFor', () => {
    it('matches routes by kind, severity and category; empty lists match everything', () => {
      expect(routesFor(routing, securityAlert({ severity: 'CRITICAL' })).map((r) => r.id)).toEqual(['ops', 'security']);
      expect(routesFor(routing, securityAlert({ severity: 'WARNING' })).map((r) => r.id)).toEqual(['ops']);
      expect(routesFor(routing, budgetAlert({ category: 'AI_API_CALLS' })).map((r) => r.id)).toEqual(['ops', 'ai-spend']);
      expect(routesFor(routing, budgetAlert({ category: 'STORAGE' })).map((r) => r.id)).toEqual(['ops']);
      expect(routesFor(routing, performanceAlert()).map((r) => r.id)).toEqual(['ops']);
    });

    it("sends a scope's budget alerts to its owner: a named scope, or a kind's template; never an unscoped alert", () => {
      const owners = parseAlertRouting({
        from: 'a@b.io',
        digestWindowSeconds: 0,
        routes: [
          { id: 'search-team', scopes: ['team:search'], to: ['search-lead@b.io'] },
          { id: 'tenants', scopes: ['tenant:*'], to: ['accounts@b.io'] },
        ],
      });
      expect(routesFor(owners, budgetAlert({ scope: 'team:search', budgetId: 'team-all-month', window: 'month', windowId: '2026-12' })).map((r) => r.id)).toEqual(['search-team']);
      expect(routesFor(owners, budgetAlert({ scope: 'team:ads' })).map((r) => r.id)).toEqual([]);
      expect(routesFor(owners, budgetAlert({ scope: 'tenant:acme' })).map((r) => r.id)).toEqual(['tenants']);
      expect(routesFor(owners, budgetAlert())).toEqual([]);
      expect(routesFor(owners, securityAlert())).toEqual([]);
      expect(() => parseAlertRouting({ from: 'a@b.io', digestWindowSeconds: 0, routes: [{ id: 'x', scopes: ['org:1'], to: ['a@b.io'] }] })).toThrow(/routes\.0\.scopes\.0: a scope such as team:search/);
    });

    it("routes a runaway alert by its scope and kind, like a scoped budget's", () => {
      const owners = parseAlertRouting({
        from: 'a@b.io',
        digestWindowSeconds: 0,
        routes: [
          { id: 'agents', scopes: ['agent:*'], to: ['ml@b.io'] },
          { id: 'loops', kinds: ['runaway'], categories: ['loop'], to: ['pager@b.io'] },
        ],
      });
      expect(routesFor(owners, runawayAlert()).map((r) => r.id)).toEqual(['agents', 'loops']);
      expect(routesFor(owners, runawayAlert({ scope: 'team:search', reason: 'rate' })).map((r) => r.id)).toEqual([]);
    });

    it('treats a budget EXCEEDED alert as CRITICAL', () => {
      const critical = parseAlertRouting({ from: 'a@b.io', digestWindowSeconds: 0, routes: [{ id: 'pager', severities: ['CRITICAL'], to: ['p@b.io'] }] });
      expect(routesFor(critical, budgetAlert({ severity: 'EXCEEDED', alertThresholdExceeded: 1 }))).toHaveLength(1);
      expect(routesFor(critical, budgetAlert({ severity: 'WARNING' }))).toHaveLength(0);
    });
  });
});
