import { formatPercent, formatUsd } from '../basics/money';
import { isBudgetAlert, severityOf, type Alert } from '../contracts/alert';
import { METRIC_UNITS } from '../contracts/vocabulary';
import type { BudgetAlert } from '../contracts/budget-alert';
import { summarizeRunaway } from './runaway-summary';

/** One alert in words: what crossed, by how much, since when, what to do, where to look. */
export interface AlertSummary {
  title: string;
  facts: [label: string, value: string][];
  nextSteps: string[];
  commands: string[];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const hoursSince = (iso: string, now: Date) => {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000));
  return minutes < 90 ? `${minutes} min ago` : `${(minutes / 60).toFixed(1)} h ago`;
};

export function summarize(alert: Alert, now: Date): AlertSummary {
  if (isBudgetAlert(alert) && alert.scope !== undefined) return summarizeScoped(alert, now);
  if (isBudgetAlert(alert)) {
    const budget = alert.category === 'TOTAL' ? 'total' : alert.category;
    const ratio = alert.budgetMicros === 0 ? Number.POSITIVE_INFINITY : alert.costMicros / alert.budgetMicros;
    if (alert.kind === 'forecast') {
      const forecast = alert.forecastMicros ?? 0;
      return {
        title: `${budget} is forecast to exceed its budget: ${formatUsd(forecast)} of ${formatUsd(alert.budgetMicros)} by month end`,
        facts: [
          ['Forecast', `${formatUsd(forecast)} (${formatPercent(forecast / Math.max(1, alert.budgetMicros))} of the budget)`],
          ['Spent so far', `${formatUsd(alert.costMicros)} in ${alert.period}`],
          ['Raised', `${alert.raisedAt} (${hoursSince(alert.raisedAt, now)})`],
        ],
        nextSteps: ['Lower the run rate now (cheaper models, caching), or raise the budget if the spend is intended.'],
        commands: ['npx governor budget report', `npx governor budget set ${budget} <usd>`],
      };
    }
    const over = alert.costMicros - alert.budgetMicros;
    const throttle =
      alert.throttle === 'blocked'
        ? 'Agents obeying the throttle flag have stopped spending in this category.'
        : alert.throttle === 'throttled'
          ? 'Agents obeying the throttle flag are throttled in this category.'
          : 'No throttle yet: agents are throttled at 95 % and blocked at 100 %.';
    return {
      title: `${budget} budget at ${formatPercent(ratio)} (${formatUsd(alert.costMicros)} of ${formatUsd(alert.budgetMicros)}) — threshold ${formatPercent(alert.alertThresholdExceeded ?? 0)} crossed`,
      facts: [
        ['Threshold crossed', `${formatPercent(alert.alertThresholdExceeded ?? 0)} (${alert.severity})`],
        ['Spent', `${formatUsd(alert.costMicros)} of ${formatUsd(alert.budgetMicros)} in ${alert.period}${over > 0 ? `, ${formatUsd(over)} over` : `, ${formatUsd(-over)} left`}`],
        ['Since', `${alert.raisedAt} (${hoursSince(alert.raisedAt, now)})`],
        ['Throttle', alert.throttle],
      ],
      nextSteps: [throttle, 'Check which agents and models drive the spend, and raise the budget only if it is intended.'],
      commands: ['npx governor budget status', 'npx governor budget report', `npx governor budget set ${budget} <usd>`],
    };
  }
  if (alert.kind === 'performance') {
    const unit = METRIC_UNITS[alert.metric];
    const group = Object.entries(alert.group).map(([k, v]) => `${k}=${v}`).join(', ') || 'all agents';
    const labels = Object.entries(alert.group).filter(([, v]) => v).map(([k, v]) => ` --label ${k}=${v}`).join('');
    const raised = alert.status === 'RAISED';
    return {
      title: raised
        ? `${alert.statistic} ${alert.metric} ${alert.value.toFixed(1)} ${unit} is ${alert.comparator} the ${alert.limit} ${unit} limit (${group})`
        : `Recovered: ${alert.statistic} ${alert.metric} back to ${alert.value.toFixed(1)} ${unit} (${group})`,
      facts: [
        ['Rule', `${alert.ruleId}: ${alert.statistic} ${alert.metric} ${alert.comparator} ${alert.limit} ${unit} over ${alert.window}`],
        ['Value', `${alert.value.toFixed(1)} ${unit} (${raised ? `${Math.abs(alert.value - alert.limit).toFixed(1)} ${unit} past the limit` : `clears at ${alert.clearAt.toFixed(1)} ${unit}`})`],
        ['Since', `${alert.since} (${hoursSince(alert.since, now)})`],
        ['Scope', group],
      ],
      nextSteps: raised ? ['Look at the slowest operations and recent deploys; the alert clears by itself once the value recovers past the clear point.'] : ['Nothing to do; kept for the record.'],
      commands: [`npx governor metrics stats ${alert.metric.toLowerCase()} --window ${alert.window}${labels}`, 'npx governor metrics report'],
    };
  }
  if (alert.kind === 'runaway') return summarizeRunaway(alert);
  if (alert.kind === 'pricing') {
    return {
      title: `Model ${alert.model} has no price: its spend is charged provisionally as ${alert.chargedAs}`,
      facts: [
        ['Model', alert.model],
        ['Charged as', `${alert.chargedAs} (a conservative stand-in: the dearest price of its family, or the configured one)`],
        ['Day', `${alert.day} (one alert per model and day)`],
      ],
      nextSteps: ['Add its price: the provisional charges are then re-priced exactly (a correcting ledger entry each), and budgets see the exact totals.'],
      commands: ['npx governor prices list', `npx governor prices add ${alert.model} --input <usd> --output <usd> --per 1000000 --from <YYYY-MM-DD> --source <url>`],
    };
  }
  return {
    title: `${alert.subjectType === 'ip' ? 'IP' : 'User'} ${alert.subject} banned until ${alert.until} (${alert.level}, offense ${alert.offense})`,
    facts: [
      ['Why', alert.reason],
      ['Banned', `${alert.at} (${hoursSince(alert.at, now)}) until ${alert.until}`],
      ['Level', `${alert.level}, offense ${alert.offense}`],
    ],
    nextSteps: ['Guards refuse this subject with 403 until the ban expires by itself. Lift it only if it is a false positive (and add it to the allow-list).'],
    commands: ['npx governor bans list', `npx governor bans lift ${alert.subjectType === 'ip' ? alert.subject : `user:${alert.subject}`}`, 'npx governor security report --hours 24'],
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function textBlock(s: AlertSummary): string {
  return [s.title, '', ...s.facts.map(([k, v]) => `${k}: ${v}`), '', 'What to do:', ...s.nextSteps.map((n) => `- ${n}`), '', 'More:', ...s.commands.map((c) => `  ${c}`)].join('\n');
}

function htmlBlock(s: AlertSummary): string {
  return [
    `<h2 style="font-size:16px">${escape(s.title)}</h2>`,
    `<table>${s.facts.map(([k, v]) => `<tr><th align="left" style="padding-right:12px">${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>`,
    `<p><b>What to do</b></p><ul>${s.nextSteps.map((n) => `<li>${escape(n)}</li>`).join('')}</ul>`,
    `<p><b>More</b></p><pre>${s.commands.map(escape).join('\n')}</pre>`,
  ].join('\n');
}

const FOOTER = 'Sent by Governor. Every alert is sent once; bursts are grouped into digests.';

/** The email for one alert, or a digest when several arrived within the route's window. */
export function renderAlertEmail(alerts: readonly Alert[], now: Date): RenderedEmail {
  if (alerts.length === 0) throw new Error('nothing to render');
  const summaries = alerts.map((a) => summarize(a, now));
  const worst = alerts.some((a) => severityOf(a) === 'CRITICAL') ? 'CRITICAL' : alerts.some((a) => severityOf(a) === 'WARNING') ? 'WARNING' : 'INFO';
  if (alerts.length === 1) {
    const s = summaries[0] as AlertSummary;
    return {
      subject: `[Governor ${worst}] ${s.title}`,
      text: `${textBlock(s)}\n\n--\n${FOOTER}\n`,
      html: `<html><body>${htmlBlock(s)}<hr><small>${escape(FOOTER)}</small></body></html>`,
    };
  }
  const critical = alerts.filter((a) => severityOf(a) === 'CRITICAL').length;
  const subject = `[Governor ${worst}] ${alerts.length} alerts${critical > 0 ? ` (${critical} critical)` : ''}: ${summaries[0]?.title} …`;
  return {
    subject,
    text: [`${alerts.length} alerts since the last email:`, ...summaries.map((s, i) => `${i + 1}. ${s.title}`), '', ...summaries.map((s, i) => `--- ${i + 1} ---\n${textBlock(s)}`), '', '--', FOOTER, ''].join('\n'),
    html: `<html><body><p>${alerts.length} alerts since the last email:</p><ol>${summaries.map((s) => `<li>${escape(s.title)}</li>`).join('')}</ol>${summaries.map((s) => `<hr>${htmlBlock(s)}`).join('\n')}<hr><small>${escape(FOOTER)}</small></body></html>`,
  };
}

/** A scoped budget's alert: which scope instance, budget and window crossed, and what the agents see. */
function summarizeScoped(alert: BudgetAlert, now: Date): AlertSummary {
  const ratio = alert.budgetMicros === 0 ? Number.POSITIVE_INFINITY : alert.costMicros / alert.budgetMicros;
  const what = `${alert.scope} ${alert.window ?? ''} budget ${alert.budgetId ?? ''}`.replace(/\s+/g, ' ').trim();
  const category = alert.category === 'TOTAL' ? 'all categories' : alert.category;
  const throttle =
    alert.throttle === 'blocked'
      ? `Agents under ${alert.scope} that obey the throttle have stopped spending (${category}); other scopes are unaffected.`
      : alert.throttle === 'throttled'
        ? `Agents under ${alert.scope} that obey the throttle are throttled (${category}); other scopes are unaffected.`
        : 'No throttle yet: the scope is throttled at 95 % and blocked at 100 %.';
  // A shadow budget's alert says so first: what it would have done, nothing enforced.
  const shadow = alert.shadow === true ? 'Shadow (not enforced): ' : '';
  return {
    title: `${shadow}${what} at ${formatPercent(ratio)} (${formatUsd(alert.costMicros)} of ${formatUsd(alert.budgetMicros)}) — threshold ${formatPercent(alert.alertThresholdExceeded ?? 0)} crossed`,
    facts: [
      ['Threshold crossed', `${formatPercent(alert.alertThresholdExceeded ?? 0)} (${alert.severity})`],
      ['Spent', `${formatUsd(alert.costMicros)} of ${formatUsd(alert.budgetMicros)} in ${alert.window ?? ''} ${alert.windowId ?? ''} (${category}), until ${alert.windowEnd ?? '?'}`],
      ['Since', `${alert.raisedAt} (${hoursSince(alert.raisedAt, now)})`],
      ['Throttle', alert.throttle],
    ],
    nextSteps: [shadow ? 'The budget is in shadow mode: no agent was throttled or blocked. Drop `shadow` to enforce it.' : throttle, `See who spends under the budget with \`governor budget top\`, and raise it only if the spend is intended.`],
    commands: [`npx governor budget status --scope ${alert.scope}`, `npx governor budget set <usd> --scope <scope> --window ${alert.window ?? 'day'} --id ${alert.budgetId ?? '<id>'}`],
  };
}
