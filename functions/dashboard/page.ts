/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * The page shell: panels filled by assets/dashboard.js from the server-sent view. No inline
 * script or style (the CSP from shared/security allows 'self' only); the CSRF token rides in a
 * meta tag for the page's POSTs.
 */
export function dashboardPage(input: { csrfToken: string; projectId: string; windows: readonly string[]; defaultWindow: string }): string {
  const options = input.windows.map((w) => `<option value="${escapeHtml(w)}"${w === input.defaultWindow ? ' selected' : ''}>${escapeHtml(w)}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(input.csrfToken)}">
<title>Governor — ${escapeHtml(input.projectId)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/dashboard.css">
<script src="assets/chart.umd.min.js" defer></script>
<script src="assets/scope-panels.js" defer></script>
<script src="assets/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>Governor <span class="project">${escapeHtml(input.projectId)}</span></h1>
  <span id="connection" class="badge">connecting…</span>
  <span id="updated"></span>
</header>
<p id="status" role="status" aria-live="polite"></p>
<main>
<section id="spend" class="wide">
  <h2>Spend vs budget — <span id="period"></span></h2>
  <div class="chart"><canvas id="spend-chart" aria-label="spend as a share of each budget"></canvas></div>
  <table id="budget-table"><thead><tr><th>budget</th><th>scope</th><th>window</th><th>spent</th><th>of</th><th>%</th><th>forecast (month end)</th><th>step</th><th>flag</th></tr></thead><tbody></tbody></table>
  <p id="forecast-note" class="note"></p>
  <form id="budget-form" class="action">
    <label>Set budget <select name="budget" id="budget-key"></select></label>
    <label>USD per month <input name="usd" id="budget-usd" inputmode="decimal" placeholder="150" required></label>
    <button type="submit">Set</button>
  </form>
</section>
<section id="top" class="wide">
  <h2>Top spenders <small>(current window of each budget; click one to drill down)</small></h2>
  <div class="charts two">
    <div id="top-agent" class="top-panel">
      <h3>By agent <span class="top-budgets"></span></h3>
      <p class="hint note"></p>
      <div class="chart"><canvas id="top-agent-chart" aria-label="top agents: spend against each one's budget"></canvas></div>
      <table class="top-table"><thead><tr><th>agent</th><th>budget</th><th>spent</th><th>of</th><th>%</th><th>flag</th></tr></thead><tbody></tbody></table>
    </div>
    <div id="top-team" class="top-panel">
      <h3>By team <span class="top-budgets"></span></h3>
      <p class="hint note"></p>
      <div class="chart"><canvas id="top-team-chart" aria-label="top teams: spend against each one's budget"></canvas></div>
      <table class="top-table"><thead><tr><th>team</th><th>budget</th><th>spent</th><th>of</th><th>%</th><th>flag</th></tr></thead><tbody></tbody></table>
    </div>
  </div>
</section>
<section id="over-time" class="wide">
  <h2>Spend over time <small>(cumulative spend against the budget's pace: budget × elapsed share of the window)</small></h2>
  <form id="scope-form" class="action">
    <label>Drill into scope <input name="scope" id="scope-input" placeholder="agent:writer-1 or team:search" maxlength="200"></label>
    <button type="submit">Show</button>
    <button type="button" id="scope-clear">Fleet only</button>
  </form>
  <div class="charts two">
    <div class="chart"><canvas id="fleet-time-chart" aria-label="fleet: cumulative spend this month against the total budget's pace"></canvas></div>
    <div class="chart"><canvas id="scope-time-chart" aria-label="chosen scope: cumulative spend in its window against its budget's pace"></canvas></div>
  </div>
  <p id="scope-curve-note" class="note"></p>
  <table id="drill-table"><thead><tr><th>budget</th><th>scope</th><th>window</th><th>category</th><th>mode</th><th>spent</th><th>of</th><th>%</th><th>step</th><th>flag</th><th>alerts</th></tr></thead><tbody></tbody></table>
</section>
<section id="flags">
  <h2>Throttle flags</h2>
  <ul id="flag-list"></ul>
</section>
<section id="alerts">
  <h2>Recent alerts <small>(24 h)</small></h2>
  <ul id="alert-list"></ul>
  <form id="flush-form" class="action"><button type="submit">Flush alert digests now</button></form>
</section>
<section id="performance" class="wide">
  <h2>Performance <label>window <select id="window">${options}</select></label></h2>
  <div class="charts">
    <div class="chart"><canvas id="latency-chart" aria-label="latency percentiles"></canvas></div>
    <div class="chart"><canvas id="error-chart" aria-label="error rate"></canvas></div>
    <div class="chart"><canvas id="cache-chart" aria-label="cache hit rate"></canvas></div>
  </div>
  <table id="performance-table"><thead><tr><th>metric</th><th>samples</th><th>p50</th><th>p95</th><th>p99</th><th>mean</th><th>targets</th></tr></thead><tbody></tbody></table>
</section>
<section id="runaway">
  <h2>Runaway</h2>
  <table id="runaway-table"><thead><tr><th>scope</th><th>rate</th><th>baseline</th><th>reason</th><th>until</th><th></th></tr></thead><tbody></tbody></table>
</section>
<section id="bans">
  <h2>Active bans</h2>
  <table id="ban-table"><thead><tr><th>subject</th><th>until</th><th>level</th><th>reason</th><th></th></tr></thead><tbody></tbody></table>
</section>
<section id="keys">
  <h2>API key rotation</h2>
  <table id="key-table"><thead><tr><th>secret</th><th>versions</th><th>next rotation</th><th></th></tr></thead><tbody></tbody></table>
</section>
<section id="dead-letters">
  <h2>Dead letters</h2>
  <table id="dead-letter-table"><thead><tr><th>topic</th><th>waiting</th></tr></thead><tbody></tbody></table>
</section>
</main>
<p id="errors" class="error"></p>
</body>
</html>
`;
}
