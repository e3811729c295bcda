// Governor dashboard page: renders the view the server pushes (server-sent events) and posts
// operator actions with the page's CSRF token. Every value from the server is set as text, never
// as HTML: ban subjects and alert text come from untrusted events.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const THRESHOLDS = [{ pct: 80, label: '80 % warn', color: '#f9a825' }, { pct: 95, label: '95 % throttle', color: '#ef6c00' }, { pct: 100, label: '100 % block', color: '#c62828' }];
  const usd = (micros) => '$' + (micros / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const num = (v, digits) => (v === null || v === undefined ? '–' : Number(v).toFixed(digits === undefined ? 1 : digits));
  const pct = (p) => (Number.isFinite(p) ? p.toFixed(1) + ' %' : '∞');
  const time = (iso) => new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  // The highest threshold a budget's spend has passed: the step of the 80/95/100 % ladder it is at.
  const stepOf = (p) => (p >= 100 ? '100 % block' : p >= 95 ? '95 % throttle' : p >= 80 ? '80 % warn' : '–');
  // A scoped line with a degrade ladder shows the ladder's step in force (shadow ones marked: recorded, not enforced).
  const ladderStepOf = (l) => (l.step ? 'ladder: ' + l.step.action + ' (from ' + Math.round(l.step.at * 100) + ' %)' + (l.step.shadow ? ' [shadow]' : '') : stepOf(l.percent));
  const barColor = (p, flag) => (flag === 'blocked' || p >= 100 ? '#c62828' : flag === 'throttled' || p >= 95 ? '#ef6c00' : p >= 80 ? '#f9a825' : '#1976d2');
  let current = null;
  let source = null;
  // The scope drilled into (?scope=… keeps it across reloads).
  let scope = new URLSearchParams(location.search).get('scope') || '';
  const charts = {};

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = el('td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? '' : String(c);
      tr.appendChild(td);
    }
    return tr;
  }
  function fill(tbody, rows, empty, columns) {
    tbody.replaceChildren(...(rows.length ? rows : [row([empty, ...Array(columns - 1).fill('')])]));
  }
  function status(message, ok) {
    const s = $('status');
    s.textContent = message;
    s.className = ok ? 'ok' : 'error';
  }

  async function post(path, body) {
    try {
      const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body), credentials: 'same-origin' });
      const answer = await res.json().catch(() => ({ error: 'HTTP ' + res.status }));
      status(answer.message || answer.error || 'HTTP ' + res.status, res.ok);
      return res.ok;
    } catch (error) {
      status('request failed: ' + error.message, false);
      return false;
    }
  }

  function chart(id, config) {
    if (typeof Chart === 'undefined') return;
    if (!charts[id]) {
      charts[id] = new Chart($(id), config);
    } else {
      charts[id].data = config.data;
      charts[id].options = config.options;
      charts[id].update('none');
    }
  }
  function clearChart(id) {
    if (charts[id]) charts[id].destroy();
    delete charts[id];
  }
  const baseOptions = (yTitle, extra) => Object.assign({ animation: false, spanGaps: true, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }, scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } } }, extra || {});

  function renderSpend(budget) {
    $('period').textContent = budget.period + ' (UTC month, ' + budget.events + ' events)';
    const lines = budget.budgets;
    const labels = lines.map((b) => b.budget);
    const forecastPct = lines.map((b) => (b.forecast.status === 'ok' && b.budgetMicros > 0 ? (b.forecast.forecastMicros / b.budgetMicros) * 100 : null));
    chart('spend-chart', {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { type: 'bar', label: 'spent (% of budget)', data: lines.map((b) => (Number.isFinite(b.percent) ? b.percent : 100)), backgroundColor: lines.map((b) => barColor(b.percent)), order: 2 },
          { type: 'line', label: 'forecast at month end', data: forecastPct, showLine: false, pointStyle: 'line', pointRadius: 14, pointBorderWidth: 3, borderColor: '#6a1b9a', backgroundColor: '#6a1b9a', order: 1 },
          ...THRESHOLDS.map((t) => ({ type: 'line', label: t.label, data: labels.map(() => t.pct), borderColor: t.color, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false, order: 0 })),
        ],
      },
      options: baseOptions('% of monthly budget'),
    });
    const scoped = budget.scoped || [];
    fill(
      $('budget-table').tBodies[0],
      [
        ...lines.map((b) =>
          row([b.budget, b.scope, b.window + ' ' + b.windowId, usd(b.spentMicros), usd(b.budgetMicros), pct(b.percent), b.forecast.status === 'ok' ? usd(b.forecast.forecastMicros) : 'not enough data', stepOf(b.percent), el('span', b.throttle, 'level-' + b.throttle)]),
        ),
        // Scoped budgets: each instance in its current window (the top spenders of a template's).
        ...scoped.map((l) => row([l.budget + (l.shadow ? ' (shadow)' : ''), l.scope, l.window + ' ' + l.windowId, usd(l.spentMicros), usd(l.budgetMicros), pct(l.percent), '–', ladderStepOf(l), el('span', l.throttle, 'level-' + l.throttle)])),
      ],
      'no budgets',
      9,
    );
    const note = lines.find((b) => b.forecast.status === 'insufficient-data');
    $('forecast-note').textContent = note ? 'Forecast: ' + note.forecast.reason + '.' : '';
    const select = $('budget-key');
    if (select.options.length === 0) for (const b of lines) select.appendChild(el('option', b.budget));

    const flagged = [...lines, ...scoped].filter((b) => b.throttle !== 'none');
    const flagText = (b) => (b.scope === 'fleet' ? b.budget : b.scope + ' (' + b.budget + ')') + ': ' + b.throttle + ' (' + pct(b.percent) + ' of ' + usd(b.budgetMicros) + ')' + (b.shadow ? ' [shadow: not enforced]' : '');
    $('flag-list').replaceChildren(...(flagged.length ? flagged.map((b) => el('li', flagText(b), 'level-' + b.throttle)) : [el('li', 'none: agents run unthrottled')]));
  }

  function renderAlerts(alerts) {
    $('alert-list').replaceChildren(...(alerts.length ? alerts.map((a) => {
      const li = el('li');
      li.append(el('span', time(a.at) + ' '), el('strong', a.kind + ' ', 'sev-' + a.severity), el('span', a.severity + ' ' + a.subject + ': ' + a.message));
      return li;
    }) : [el('li', 'no alerts in the last 24 h')]));
  }

  function renderBans(bans) {
    fill(
      $('ban-table').tBodies[0],
      bans.map((b) => {
        const button = el('button', 'Lift');
        const subject = b.subjectType + ':' + b.subject;
        button.dataset.subject = subject;
        button.addEventListener('click', () => {
          button.disabled = true;
          post('api/bans/lift', { subject }).finally(() => (button.disabled = false));
        });
        return row([b.subjectType + ' ' + b.subject, time(b.until), b.level + ' #' + b.offense, b.reason, button]);
      }),
      'no active bans',
      5,
    );
  }

  function renderRunaway(tripped) {
    fill(
      $('runaway-table').tBodies[0],
      tripped.map((t) => {
        const perMinute = (v) => '$' + v.toFixed(2) + '/min';
        // A shadow rule paused nothing: there is nothing to reset.
        const action = t.shadow ? el('span', 'shadow') : el('button', 'Reset');
        if (!t.shadow) {
          action.dataset.scope = t.scope;
          action.addEventListener('click', () => {
            action.disabled = true;
            post('api/breaker/reset', { scope: t.scope }).finally(() => (action.disabled = false));
          });
        }
        return row([t.scope + (t.shadow ? ' (shadow)' : ' paused'), perMinute(t.rateUsdPerMinute), perMinute(t.baselineUsdPerMinute) + ' (' + t.baselineFrom + ')', t.reason + ' · ' + t.ruleId, time(t.until), action]);
      }),
      'no runaway scope',
      6,
    );
  }

  function renderKeys(keys, error) {
    if (keys === null) return fill($('key-table').tBodies[0], [], error ? 'unavailable: ' + error : 'loading…', 4);
    fill(
      $('key-table').tBodies[0],
      keys.map((k) => {
        const button = el('button', 'Rotate now');
        button.addEventListener('click', () => {
          button.disabled = true;
          post('api/keys/rotate', { secret: k.secret }).finally(() => (button.disabled = false));
        });
        // A configured secret missing from Secret Manager says so in place of its versions.
        const versions = k.problem || k.versions.filter((v) => v.state !== 'DESTROYED').map((v) => 'v' + v.version + ' ' + v.state.toLowerCase()).join(', ');
        return row([k.secret, versions, k.due ? 'due now' : k.nextRotationAt ? time(k.nextRotationAt) : '–', button]);
      }),
      'no secret has rotation settings',
      4,
    );
  }

  function renderDeadLetters(counts, error) {
    if (counts === null) return fill($('dead-letter-table').tBodies[0], [], error ? 'unavailable: ' + error : 'loading…', 2);
    fill($('dead-letter-table').tBodies[0], counts.map((c) => row([c.topic, c.error ? 'error: ' + c.error : c.count + (c.capped ? '+' : '')])), 'no dead-letter topics', 2);
  }

  function renderPerformance(perf) {
    if (!perf) return;
    const m = perf.metrics;
    // Hour buckets over a day or more also need the date.
    const at = (series) => series.map((p) => new Date(p.at).toISOString().slice(perf.window.resolution === 'hour' ? 5 : 11, 16).replace('T', ' '));
    const target = (panel, stat) => panel.targets.filter((t) => !stat || t.statistic === stat);
    const targetLines = (panel, labels) => panel.targets.map((t) => ({ label: 'target: ' + t.statistic + ' ' + t.comparator + ' ' + t.limit, data: labels.map(() => t.limit), borderColor: '#c62828', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 }));
    const lat = m.LATENCY;
    const latLabels = at(lat.series);
    chart('latency-chart', {
      type: 'line',
      data: { labels: latLabels, datasets: [
        { label: 'p50 ms', data: lat.series.map((p) => p.p50), borderColor: '#1976d2', pointRadius: 2 },
        { label: 'p95 ms', data: lat.series.map((p) => p.p95), borderColor: '#ef6c00', pointRadius: 2 },
        { label: 'p99 ms', data: lat.series.map((p) => p.p99), borderColor: '#6a1b9a', pointRadius: 2 },
        ...targetLines(lat, latLabels),
      ] },
      options: baseOptions('latency (ms)'),
    });
    for (const [id, panel, title] of [['error-chart', m.ERROR_RATE, 'error rate (%)'], ['cache-chart', m.CACHE_HIT_RATE, 'cache hit rate (%)']]) {
      const labels = at(panel.series);
      chart(id, { type: 'line', data: { labels, datasets: [{ label: title, data: panel.series.map((p) => p.mean), borderColor: '#1976d2', pointRadius: 2 }, ...targetLines(panel, labels)] }, options: baseOptions(title) });
    }
    fill(
      $('performance-table').tBodies[0],
      [['LATENCY', 'ms'], ['ERROR_RATE', '%'], ['CACHE_HIT_RATE', '%']].map(([name, unit]) => {
        const o = m[name].overall;
        return row([name, o.count, num(o.median), num(o.p95), num(o.p99), num(o.mean) + ' ' + unit, target(m[name]).map((t) => t.statistic + ' ' + t.comparator + ' ' + t.limit + ' (' + t.severity + ')').join('; ')]);
      }),
      '',
      7,
    );
  }

  const scopes = window.governorScopePanels({ $, el, row, fill, chart, clearChart, usd, pct, stepOf, barColor });

  function render(view) {
    current = view;
    $('updated').textContent = 'updated ' + time(view.generatedAt);
    if (view.live) {
      renderSpend(view.live.budget);
      renderAlerts(view.live.alerts);
      renderBans(view.live.bans);
      renderRunaway(view.live.runaway);
      scopes.renderTopPanel('agent', view.live.top.agent, drill);
      scopes.renderTopPanel('team', view.live.top.team, drill);
    }
    scopes.renderOverTime(view.live && view.live.fleetCurve, view.scope, view.drillDown);
    renderPerformance(view.performance);
    renderKeys(view.keys, view.errors.keys);
    renderDeadLetters(view.deadLetters, view.errors.deadLetters);
    const errors = Object.entries(view.errors).map(([k, v]) => k + ': ' + v);
    $('errors').textContent = errors.length ? 'Some panels could not be read: ' + errors.join(' | ') : '';
    document.body.dataset.version = String(view.version);
  }

  function connect() {
    if (source) source.close();
    const windowChoice = $('window').value;
    source = new EventSource('events?window=' + encodeURIComponent(windowChoice) + (scope ? '&scope=' + encodeURIComponent(scope) : ''));
    source.addEventListener('view', (event) => {
      $('connection').textContent = 'live';
      $('connection').className = 'badge live';
      render(JSON.parse(event.data));
    });
    source.addEventListener('error', () => {
      $('connection').textContent = 'reconnecting…';
      $('connection').className = 'badge down';
    });
  }

  // Drill into one scope: the server reads it with the live sections and pushes it to this page only.
  function drill(chosen) {
    scope = chosen;
    $('scope-input').value = chosen;
    history.replaceState(null, '', chosen ? '?scope=' + encodeURIComponent(chosen) : location.pathname);
    connect();
  }
  // A scope the server refused (a typo, a template) comes back as a 400 with the reason.
  async function drillChecked(chosen) {
    const res = await fetch('api/state?window=' + encodeURIComponent($('window').value) + '&scope=' + encodeURIComponent(chosen), { credentials: 'same-origin' });
    if (res.ok) return drill(chosen);
    const answer = await res.json().catch(() => ({ error: 'HTTP ' + res.status }));
    status(answer.error || 'HTTP ' + res.status, false);
  }

  $('scope-input').value = scope;
  $('scope-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = $('scope-input').value.trim();
    if (chosen) drillChecked(chosen);
  });
  $('scope-clear').addEventListener('click', () => drill(''));
  $('window').addEventListener('change', connect);
  $('budget-form').addEventListener('submit', (event) => {
    event.preventDefault();
    post('api/budget', { budget: $('budget-key').value, usd: $('budget-usd').value });
  });
  $('flush-form').addEventListener('submit', (event) => {
    event.preventDefault();
    post('api/alerts/flush', {});
  });
  connect();
  window.governorDashboard = { view: () => current };
})();
