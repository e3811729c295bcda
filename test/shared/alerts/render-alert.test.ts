import { renderAlertEmail } from '../../../shared/alerts/render-alert';
import { budgetAlert, performanceAlert, runawayAlert, securityAlert } from '../../support/alert-fixtures';

const now = new Date('2026-11-26T10:30:00.000Z');

describe('renderAlertEmail', () => {
  it('says what crossed, by how much, since when, what to do and which command shows more', () => {
    const email = renderAlertEmail([budgetAlert()], now);
    expect(email.subject).toBe('[Governor WARNING] total budget at 85.0% ($8.50 of $10.00) — threshold 80.0% crossed');
    expect(email.text).toContain('Spent: $8.50 of $10.00 in 2026-11, $1.50 left');
    expect(email.text).toContain('Since: 2026-11-26T10:00:00.000Z (30 min ago)');
    expect(email.text).toContain('What to do:');
    expect(email.text).toContain('npx governor budget status');
    expect(email.html).toContain('<th align="left" style="padding-right:12px">Threshold crossed</th><td>80.0% (WARNING)</td>');
  });

  it('names the scope, budget and window of a scoped budget alert, and the command for that scope', () => {
    const email = renderAlertEmail([budgetAlert({ scope: 'agent:looper', budgetId: 'agent-all-day', window: 'day', windowId: '2026-11-26', windowEnd: '2026-11-27T00:00:00.000Z', severity: 'CRITICAL', throttle: 'throttled', costMicros: 960_000, budgetMicros: 1_000_000, alertThresholdExceeded: 0.95 })], now);
    expect(email.subject).toBe('[Governor CRITICAL] agent:looper day budget agent-all-day at 96.0% ($0.96 of $1.00) — threshold 95.0% crossed');
    expect(email.text).toContain('in day 2026-11-26 (all categories), until 2026-11-27T00:00:00.000Z');
    expect(email.text).toContain('Agents under agent:looper that obey the throttle are throttled');
    expect(email.text).toContain('npx governor budget status --scope agent:looper');
  });

  it('says which scope ran away, how fast against what baseline, on which prompt, and how to reset it', () => {
    const email = renderAlertEmail([runawayAlert()], now);
    expect(email.subject).toBe('[Governor CRITICAL] Runaway agent:looper repeats one call: gemini-2.5-pro prompt a1b2c3d4e5f6… ×48 — paused');
    expect(email.text).toContain('Rate: $2.40/min over 60 s (floor $1.00/min, trips above 10× the baseline)');
    expect(email.text).toContain("Baseline: $0.10/min (its own median minute, last hour)");
    expect(email.text).toContain('npx governor breaker reset agent:looper');
    const shadow = renderAlertEmail([runawayAlert({ shadow: true, severity: 'WARNING', reason: 'rate', scope: 'tenant:acme' })], now);
    expect(shadow.subject).toBe('[Governor WARNING] [shadow] Runaway tenant:acme spends $2.40/min (24.0× its baseline) — would have been paused');
    expect(shadow.text).toContain('Paused: no (shadow rule agent-all)');
  });

  it('describes performance and security alerts with their own commands', () => {
    const perf = renderAlertEmail([performanceAlert()], now);
    expect(perf.subject).toBe('[Governor WARNING] p95 LATENCY 2450.5 ms is above the 2000 ms limit (operation=generate)');
    expect(perf.text).toContain('npx governor metrics stats latency --window 5m --label operation=generate');
    const ban = renderAlertEmail([securityAlert()], now);
    expect(ban.subject).toBe('[Governor CRITICAL] IP 203.0.113.7 banned until 2026-11-26T11:00:00.000Z (ban, offense 1)');
    expect(ban.text).toContain('npx governor bans lift 203.0.113.7');
  });

  it('escapes HTML in values that came from events', () => {
    const email = renderAlertEmail([securityAlert({ reason: '<script>alert(1)</script>' })], now);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&#60;script&#62;');
    expect(email.text).toContain('<script>alert(1)</script>');
  });

  it('lists every alert of a digest, with the worst severity in the subject', () => {
    const alerts = [budgetAlert(), performanceAlert(), securityAlert()];
    const email = renderAlertEmail(alerts, now);
    expect(email.subject).toMatch(/^\[Governor CRITICAL\] 3 alerts \(1 critical\): total budget at 85\.0%/);
    expect(email.text).toContain('3 alerts since the last email:');
    for (const n of [1, 2, 3]) expect(email.text).toContain(`--- ${n} ---`);
    // The digest's own list: one entry per alert (the per-alert blocks have lists of their own).
    expect(email.html).toMatch(/<ol>(<li>[^<]*<\/li>){3}<\/ol>/);
  });

  it('refuses to render nothing', () => {
    expect(() => renderAlertEmail([], now)).toThrow('nothing to render');
  });
});
