// Governor dashboard: top spenders by agent and team, spend over time (cumulative against the
// budget's pace line) and the drill-down into one scope. Loaded before dashboard.js, which calls
// it with its helpers. Every server value is set as text, never as HTML (scope names come from events).
'use strict';
window.governorScopePanels = function (h) {
  const { $, el, row, fill, chart, clearChart, usd, pct, stepOf, barColor } = h;
  const entriesShown = { agent: [], team: [] };
  const when = (ms, withDate) => new Date(ms).toISOString().slice(withDate ? 5 : 11, 16).replace('T', ' ');

  function flagCell(level) {
    return el('span', level, 'level-' + level);
  }

  function renderTopPanel(by, panel, drill) {
    const box = $('top-' + by);
    const hint = box.querySelector('.hint');
    const tbody = box.querySelector('.top-table').tBodies[0];
    if (panel.hint) {
      // No budget of this kind counts spend per agent/team: say which one to add instead of a ranking.
      hint.textContent = panel.hint;
      box.querySelector('.top-budgets').textContent = '';
      entriesShown[by] = [];
      clearChart('top-' + by + '-chart');
      return fill(tbody, [], 'no ' + by + ' budget', 6);
    }
    hint.textContent = '';
    box.querySelector('.top-budgets').textContent = '(' + panel.window + ': ' + panel.budgets.join(', ') + ')';
    const entries = panel.entries;
    entriesShown[by] = entries;
    chart('top-' + by + '-chart', {
      type: 'bar',
      data: {
        labels: entries.map((e) => e.scope.replace(/^[a-z]+:/, '') + (e.throttle !== 'none' ? ' (' + e.throttle + ')' : '')),
        datasets: [
          { type: 'bar', label: 'spent (USD)', data: entries.map((e) => e.spentMicros / 1e6), backgroundColor: entries.map((e) => barColor(e.percent, e.throttle)), order: 2 },
          { type: 'line', label: 'budget (USD)', data: entries.map((e) => e.budgetMicros / 1e6), showLine: false, pointStyle: 'line', pointRadius: 14, pointBorderWidth: 3, borderColor: '#c62828', backgroundColor: '#c62828', order: 1 },
        ],
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'USD this ' + panel.window } } },
        onClick: (_event, elements) => elements.length && drill(entriesShown[by][elements[0].index].scope),
      },
    });
    fill(
      tbody,
      entries.map((e) => {
        const link = el('a', e.scope, 'drill');
        link.href = '?scope=' + encodeURIComponent(e.scope);
        link.addEventListener('click', (event) => {
          event.preventDefault();
          drill(e.scope);
        });
        return row([link, e.budget + (e.shadow ? ' (shadow)' : '') + ' ' + e.windowId, usd(e.spentMicros), usd(e.budgetMicros), pct(e.percent), flagCell(e.throttle)]);
      }),
      'no ' + by + ' spent in this window',
      6,
    );
  }

  function curveChart(id, curve, title) {
    const withDate = curve.windowEnd - curve.windowStart > 86_400_000;
    const xy = (points) => points.map((p) => ({ x: p.at, y: p.spentMicros / 1e6 }));
    chart(id, {
      type: 'line',
      data: {
        datasets: [
          { label: 'spent (cumulative, USD)', data: xy(curve.points), borderColor: '#1976d2', backgroundColor: '#1976d2', pointRadius: 2 },
          { label: 'pace (budget × elapsed share)', data: xy(curve.pace), borderColor: '#6a1b9a', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 },
          { label: 'budget', data: [{ x: curve.windowStart, y: curve.budgetMicros / 1e6 }, { x: curve.windowEnd, y: curve.budgetMicros / 1e6 }], borderColor: '#c62828', borderDash: [2, 3], borderWidth: 1.5, pointRadius: 0 },
        ],
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { title: { display: true, text: title }, legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        scales: {
          x: { type: 'linear', min: curve.windowStart, max: curve.windowEnd, ticks: { maxTicksLimit: 8, callback: (v) => when(v, withDate) } },
          y: { beginAtZero: true, title: { display: true, text: 'USD' } },
        },
      },
    });
  }

  function renderOverTime(fleetCurve, scope, drillDown) {
    if (fleetCurve) curveChart('fleet-time-chart', fleetCurve, 'fleet: TOTAL this month (UTC)');
    const note = $('scope-curve-note');
    const tbody = $('drill-table').tBodies[0];
    if (!scope) {
      clearChart('scope-time-chart');
      note.textContent = 'Choose a scope (a row of the top spenders, or type one) to see its budgets and its spend over time.';
      return fill(tbody, [], 'no scope chosen', 11);
    }
    if (!drillDown) {
      clearChart('scope-time-chart');
      note.textContent = '';
      return fill(tbody, [], 'loading ' + scope + '…', 11);
    }
    const c = drillDown.curve;
    if (c) {
      curveChart('scope-time-chart', c, scope + ': ' + c.budget + ' this window');
      note.textContent = scope + ': sampled while this dashboard watches it (a scope\'s counters keep its window\'s total, not its history); from the window start to the first sample the line is drawn straight.';
    } else {
      clearChart('scope-time-chart');
      note.textContent = 'No scoped budget covers ' + scope + ': add one (governor budget set <usd> --scope …) to count its spend.';
    }
    fill(
      tbody,
      drillDown.lines.map((l) =>
        row([l.budget + (l.shadow ? ' (shadow)' : ''), l.scope, l.window + ' ' + l.windowId + (l.timezone === 'UTC' ? '' : ' (' + l.timezone + ')'), l.category, l.mode, usd(l.spentMicros), usd(l.budgetMicros), pct(l.percent), l.step ? 'ladder: ' + l.step.action + (l.step.shadow ? ' [shadow]' : '') : stepOf(l.percent), flagCell(l.throttle), l.alerts.map((a) => a.severity).join(', ') || '–']),
      ),
      'no scoped budget covers ' + scope,
      11,
    );
  }

  return { renderTopPanel, renderOverTime };
};
