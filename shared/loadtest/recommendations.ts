import type { LoadTestSummary } from './summary';
import type { ThresholdResult } from './thresholds';

/** Limits the recommendations apply; each one names the number that triggered it. */
export const RECOMMENDATION_LIMITS = {
  // A stage whose p95 is this many times the first stage's: the target is queueing.
  p95Degradation: 2,
  // A stage whose error rate is this much above the first stage's (absolute, 0–1).
  errorRateIncrease: 0.01,
  // Achieved rate under this share of the planned rate: the target or the generator could not keep up.
  rpsShortfall: 0.9,
  // Generator dispatch lag p99 above this (ms): the generator itself is late; split across workers.
  dispatchLagMilliseconds: 10,
  // max above this many times p99: a few outliers (GC pauses, cold starts) worth a look.
  maxOverP99: 10,
};

/** Advice from the numbers of a run: where it degraded, what failed, whether the generator kept up. */
export function recommendationsFor(s: LoadTestSummary, thresholds: readonly ThresholdResult[]): string[] {
  const out: string[] = [];
  const L = RECOMMENDATION_LIMITS;
  const knee = s.stages.find((st) => st.p95Ratio !== null && st.p95Ratio >= L.p95Degradation);
  if (knee) {
    const prev = s.stages[knee.stage - 2];
    const at = knee.plannedRps !== null ? `${knee.plannedRps} req/s` : `${knee.users} users`;
    const before = prev ? (prev.plannedRps !== null ? `${prev.plannedRps} req/s` : `${prev.users} users`) : 'the first stage';
    out.push(`p95 grew ${knee.p95Ratio}× over the first stage at stage ${knee.stage} (${at}): capacity ends between ${before} and ${at}; scale out or find the bottleneck before going past it.`);
  }
  const errorStage = s.stages.find((st) => st.errorRateChange >= L.errorRateIncrease);
  if (errorStage) {
    out.push(`errors rose by ${(errorStage.errorRateChange * 100).toFixed(1)} points at stage ${errorStage.stage} (${errorStage.plannedRps ?? errorStage.users} ${errorStage.plannedRps !== null ? 'req/s' : 'users'}): the target sheds load there.`);
  }
  const top = s.errors[0];
  if (top) {
    const what = /^status 429/.test(top.error) ? 'rate limiting: raise the limits for this client or lower the rate'
      : /^status 5\d\d/.test(top.error) ? 'server errors: check the target’s logs for this window'
      : top.error === 'timeout' ? 'timeouts: the target stalls; look for a saturated pool or lock, or raise --timeout if answers are slow by design'
      : /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/.test(top.error) ? 'connections refused or reset: the target is down or out of sockets/backlog'
      : /^unsent/.test(top.error) ? 'the generator hit its in-flight cap: the target answers slower than requests arrive (raise --max-in-flight only to measure deeper queues)'
      : 'see the error table';
    out.push(`most errors are "${top.error}" (${top.count}, ${(top.share * 100).toFixed(0)} % of errors): ${what}.`);
  }
  if (s.plannedRps !== null && s.rps < s.plannedRps * L.rpsShortfall) {
    out.push(`achieved ${s.rps} req/s of ${s.plannedRps} planned (${((s.rps / s.plannedRps) * 100).toFixed(0)} %): the run did not offer the load it planned.`);
  }
  const lag = s.dispatchLagMilliseconds.p99;
  if (lag !== null && lag > L.dispatchLagMilliseconds) {
    out.push(`the generator sent requests up to ${lag} ms late (p99): it is CPU-bound; split the run across processes with --workers N.`);
  }
  const { p99, max } = s.latencyMilliseconds;
  if (p99 !== null && max !== null && p99 > 0 && max > p99 * L.maxOverP99) {
    out.push(`max latency ${max} ms is ${(max / p99).toFixed(0)}× the p99: a few outliers (GC pauses, cold starts, retries) worth a look.`);
  }
  const failed = thresholds.filter((t) => !t.ok);
  if (failed.length === 0 && out.length === 0) out.push('all thresholds met with no degradation across stages: the target holds this load; try the next profile (stress, spike, scalability).');
  return out;
}
