import type { LoadTestResult } from './load-test-result';
import type { TimelinePoint } from './summary';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Series {
  name: string;
  color: string;
  values: (number | null)[];
}

const W = 760;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** A line chart as inline SVG: no script, no CDN, readable offline and in a mail attachment. */
export function svgChart(title: string, unit: string, xs: number[], series: Series[]): string {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const maxY = Math.max(1e-9, ...all) * 1.08;
  const maxX = Math.max(1, ...xs);
  const x = (v: number) => PAD.left + (v / maxX) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / maxY) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxY);
  const grid = ticks
    .map((t) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e7eb"/><text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t < 10 ? t.toFixed(1) : Math.round(t)}</text>`)
    .join('');
  const xticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${x(f * maxX).toFixed(1)}" y="${H - 8}" text-anchor="middle">${Math.round(f * maxX)} s</text>`).join('');
  const lines = series
    .map((s) => {
      const pts = s.values.map((v, i) => (v === null ? null : `${x(xs[i]!).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.6" points="${pts.join(' ')}"><title>${esc(s.name)}</title></polyline>`;
    })
    .join('');
  const legend = series.map((s, i) => `<tspan x="${PAD.left + 8 + i * 110}" fill="${s.color}">■ ${esc(s.name)}</tspan>`).join('');
  return `<figure><figcaption>${esc(title)} (${esc(unit)})</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}" font-size="11" font-family="sans-serif">${grid}${xticks}${lines}<text y="${PAD.top + 10}">${legend}</text></svg></figure>`;
}

function charts(timeline: TimelinePoint[]): string {
  const xs = timeline.map((p) => p.t);
  return [
    svgChart('Latency over time, from intended start', 'ms', xs, [
      { name: 'p50', color: '#2563eb', values: timeline.map((p) => p.p50) },
      { name: 'p95', color: '#f59e0b', values: timeline.map((p) => p.p95) },
      { name: 'p99', color: '#dc2626', values: timeline.map((p) => p.p99) },
    ]),
    svgChart('Throughput', 'requests/s', xs, [
      { name: 'finished', color: '#059669', values: timeline.map((p) => p.rps) },
      { name: 'failed', color: '#dc2626', values: timeline.map((p) => (p.failed * p.rps) / Math.max(1, p.requests)) },
    ]),
  ].join('\n');
}

const cell = (v: unknown) => `<td>${esc(v === null || v === undefined ? '-' : String(v))}</td>`;

/** A self-contained HTML report: verdict, totals, charts, stages with degradation, errors, advice. */
export function htmlReport(r: LoadTestResult): string {
  const s = r.summary;
  const l = s.latencyMilliseconds;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Governor load test ${esc(r.runId)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f3f4f6}.pass{color:#059669}.fail{color:#dc2626}figure{margin:1em 0}figcaption{font-weight:600}</style></head>
<body>
<h1>Load test ${esc(s.profile)} — <span class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASSED' : 'FAILED'}</span></h1>
<p>Run ${esc(r.runId)}, ${esc(s.startedAt)}, ${esc(s.model)} model${s.workers > 1 ? `, ${s.workers} workers` : ''}, against <code>${esc(s.target)}</code>.</p>
<table><tr><th>requests</th><th>succeeded</th><th>failed</th><th>unsent</th><th>req/s</th><th>planned req/s</th><th>avg</th><th>min</th><th>p50</th><th>p95</th><th>p99</th><th>max (ms)</th></tr>
<tr>${[s.totals.requests, s.totals.succeeded, s.totals.failed, s.totals.unsent, s.rps, s.plannedRps, l.avg, l.min, l.p50, l.p95, l.p99, l.max].map(cell).join('')}</tr></table>
${charts(s.timeline)}
<h2>Stages</h2>
<table><tr><th>stage</th><th>users</th><th>planned req/s</th><th>duration s</th><th>requests</th><th>error rate</th><th>p50</th><th>p95</th><th>p99</th><th>p95 × first</th><th>errors Δ (pt)</th></tr>
${s.stages.map((st) => `<tr>${[st.stage, st.users, st.plannedRps, st.durationSeconds, st.requests, `${(st.errorRate * 100).toFixed(2)} %`, st.latencyMilliseconds.p50, st.latencyMilliseconds.p95, st.latencyMilliseconds.p99, st.p95Ratio, (st.errorRateChange * 100).toFixed(2)].map(cell).join('')}</tr>`).join('\n')}</table>
<h2>Thresholds</h2>
<table><tr><th>threshold</th><th>actual</th><th>result</th></tr>
${r.thresholds.map((t) => `<tr>${cell(t.expression)}${cell(t.actual === null ? null : Math.round(t.actual * 1000) / 1000)}<td class="${t.ok ? 'pass' : 'fail'}">${t.ok ? 'ok' : 'FAIL'}</td></tr>`).join('\n')}</table>
<h2>Errors</h2>
${s.errors.length === 0 ? '<p>none</p>' : `<table><tr><th>error</th><th>count</th><th>share</th></tr>${s.errors.map((e) => `<tr>${cell(e.error)}${cell(e.count)}${cell(`${(e.share * 100).toFixed(1)} %`)}</tr>`).join('')}</table>`}
<h2>Recommendations</h2>
<ul>${r.recommendations.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
</body></html>
`;
}
