import { formatUsd } from '../basics/money';
import { DEFAULT_ALERT_RULES, type AlertRule } from './alert-rules';
import type { Statistics } from './statistics';

export type PerformanceRecommendation =
  | { kind: 'slow-operation'; operation: string; p95: number; limit: number; samples: number; message: string }
  | { kind: 'low-cache-hit-rate'; hitRate: number; target: number; avoidableShare: number; estimatedSavingMicros: number | null; message: string }
  | { kind: 'error-burst'; operation: string; from: string; to: string; peak: number; baseline: number; message: string }
  | { kind: 'resource-pressure'; metric: string; group: string; mean: number; limit: number; message: string }
  | { kind: 'healthy'; message: string };

export interface RecommendationInput {
  rules: readonly AlertRule[];
  latencyByOperation: Readonly<Record<string, Statistics>>;
  cacheHitRate: Statistics | undefined;
  /** Minute-by-minute error rate per operation (mean %, ordered by time). */
  errorMinutes: Readonly<Record<string, readonly { at: number; rate: number; count: number }[]>>;
  errorRateOverall: Statistics | undefined;
  resourceMeans: readonly { metric: 'CPU_USAGE' | 'MEMORY_USAGE'; group: string; mean: number }[];
  /** AI spend of the current month so far, to price cache misses. */
  aiSpendMicros: number | null;
}

/** A burst: minutes whose error rate is at least this many times the window's, and this high. */
export const BURST_FACTOR = 3;
export const BURST_MIN_RATE = 10;

const limitOf = (rules: readonly AlertRule[], metric: string, statistic: string): number | undefined =>
  rules.find((r) => r.metric === metric && r.statistic === statistic)?.limit;

/** What the numbers say to do, from statistics and the alert rules' targets only. */
export function performanceRecommendations(input: RecommendationInput): PerformanceRecommendation[] {
  const out: PerformanceRecommendation[] = [];
  const p95Limit = limitOf(input.rules, 'LATENCY', 'p95') ?? limitOf(DEFAULT_ALERT_RULES, 'LATENCY', 'p95')!;
  for (const [operation, s] of Object.entries(input.latencyByOperation).sort((a, b) => (b[1].p95 ?? 0) - (a[1].p95 ?? 0))) {
    if (s.p95 !== null && s.p95 > p95Limit) {
      out.push({ kind: 'slow-operation', operation, p95: s.p95, limit: p95Limit, samples: s.count, message: `operation "${operation}" has p95 ${s.p95.toFixed(0)} ms over ${s.count} calls, above the ${p95Limit} ms target (mean ${s.mean?.toFixed(0)} ms).` });
    }
  }

  const hitTarget = limitOf(input.rules, 'CACHE_HIT_RATE', 'mean') ?? limitOf(DEFAULT_ALERT_RULES, 'CACHE_HIT_RATE', 'mean')!;
  const hit = input.cacheHitRate?.mean;
  if (hit !== null && hit !== undefined && hit < hitTarget) {
    // Misses become AI calls: at the target, (target − hit) of every 100 lookups stop missing.
    const avoidableShare = (hitTarget - hit) / (100 - hit);
    const saving = input.aiSpendMicros === null ? null : Math.round(input.aiSpendMicros * avoidableShare);
    out.push({
      kind: 'low-cache-hit-rate',
      hitRate: hit,
      target: hitTarget,
      avoidableShare,
      estimatedSavingMicros: saving,
      message:
        `cache hit rate is ${hit.toFixed(1)} % (target ${hitTarget} %): reaching the target avoids ${(avoidableShare * 100).toFixed(0)} % of cache misses` +
        (saving === null ? '.' : `, about ${formatUsd(saving)} of this month's ${formatUsd(input.aiSpendMicros ?? 0)} AI spend if misses drive AI calls.`),
    });
  }

  const baseline = input.errorRateOverall?.mean ?? 0;
  for (const [operation, minutes] of Object.entries(input.errorMinutes)) {
    let burst: { from: number; to: number; peak: number } | undefined;
    const flush = () => {
      if (!burst) return;
      out.push({
        kind: 'error-burst',
        operation,
        from: new Date(burst.from).toISOString(),
        to: new Date(burst.to + 60_000).toISOString(),
        peak: burst.peak,
        baseline,
        message: `error burst in "${operation}" from ${new Date(burst.from).toISOString().slice(11, 16)} to ${new Date(burst.to + 60_000).toISOString().slice(11, 16)} UTC: peak ${burst.peak.toFixed(1)} % against ${baseline.toFixed(1)} % over the window.`,
      });
      burst = undefined;
    };
    for (const m of minutes) {
      const isBurst = m.rate >= BURST_MIN_RATE && m.rate >= BURST_FACTOR * baseline;
      if (isBurst && burst && m.at - burst.to <= 60_000) {
        burst.to = m.at;
        burst.peak = Math.max(burst.peak, m.rate);
      } else if (isBurst) {
        flush();
        burst = { from: m.at, to: m.at, peak: m.rate };
      } else {
        flush();
      }
    }
    flush();
  }

  for (const r of input.resourceMeans) {
    const limit = limitOf(input.rules, r.metric, 'mean');
    if (limit !== undefined && r.mean > limit) {
      out.push({ kind: 'resource-pressure', metric: r.metric, group: r.group, mean: r.mean, limit, message: `${r.metric === 'CPU_USAGE' ? 'CPU' : 'memory'} of ${r.group} averages ${r.mean.toFixed(1)} %, above ${limit} %.` });
    }
  }
  if (out.length === 0) out.push({ kind: 'healthy', message: 'Every operation meets its latency target; error rate, cache hit rate and resources are within their limits.' });
  return out;
}
