import type { LoadTestResult } from './load-test-result';

const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const pad = (s: string, n: number) => s.padStart(n);

/** The terminal rendering of a result: totals, latency, stages with degradation, errors, verdict. */
export function renderSummary(r: LoadTestResult): string {
  const s = r.summary;
  const l = s.latencyMilliseconds;
  const lines = [
    `Load test ${r.runId}: ${s.profile} (${s.model} model${s.workers > 1 ? `, ${s.workers} workers` : ''}) against ${s.target}`,
    `  requests ${s.totals.requests}  succeeded ${s.totals.succeeded} (${pct(s.totals.successRate)})  failed ${s.totals.failed} (${pct(s.totals.errorRate)})${s.totals.unsent ? `  unsent ${s.totals.unsent}` : ''}`,
    `  ${s.rps} req/s${s.plannedRps !== null ? ` of ${s.plannedRps} planned` : ''} over ${s.durationSeconds} s`,
    `  latency ms  avg ${ms(l.avg)}  min ${ms(l.min)}  p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (from intended start)`,
    '',
    `  stage  ${s.model === 'open' ? '  req/s' : '  users'}  duration  requests   errors      p50      p95      p99  p95 × first  errors Δ`,
    ...s.stages.map(
      (st) =>
        `  ${pad(String(st.stage), 5)}  ${pad(String(st.plannedRps ?? st.users), 7)}  ${pad(`${st.durationSeconds} s`, 8)}  ${pad(String(st.requests), 8)}  ${pad(pct(st.errorRate), 7)}  ${pad(ms(st.latencyMilliseconds.p50), 7)}  ${pad(ms(st.latencyMilliseconds.p95), 7)}  ${pad(ms(st.latencyMilliseconds.p99), 7)}  ${pad(st.p95Ratio === null ? '-' : `${st.p95Ratio.toFixed(2)}×`, 11)}  ${pad(`${(st.errorRateChange * 100).toFixed(2)} pt`, 8)}`,
    ),
  ];
  if (s.errors.length > 0) {
    lines.push('', '  errors:');
    for (const e of s.errors.slice(0, 10)) lines.push(`    ${pad(String(e.count), 8)}  ${e.error}`);
    if (s.errors.length > 10) lines.push(`    … and ${s.errors.length - 10} more kinds`);
  }
  lines.push('', '  thresholds:');
  for (const t of r.thresholds) lines.push(`    ${t.ok ? 'ok  ' : 'FAIL'}  ${t.expression}  (actual ${t.actual === null ? 'none' : t.metric.endsWith('rate') ? pct(t.actual) : Math.round(t.actual * 1000) / 1000})`);
  lines.push('', '  recommendations:', ...r.recommendations.map((x) => `    - ${x}`), '', r.passed ? 'PASSED' : 'FAILED: thresholds not met');
  return lines.join('\n');
}
