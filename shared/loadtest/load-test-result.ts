import type { LoadPlan } from './load-plan';
import { recommendationsFor } from './recommendations';
import type { Recording, SerializedRecording } from './recording';
import { summarize, plannedRpsOf, type LoadTestSummary } from './summary';
import { defaultThresholds, evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds';

/** A finished run: the numbers, the verdict and the advice. `recording` merges with other runs' exactly. */
export interface LoadTestResult {
  runId: string;
  summary: LoadTestSummary;
  thresholds: ThresholdResult[];
  passed: boolean;
  recommendations: string[];
  plan: LoadPlan;
  recording: SerializedRecording;
}

/** Summary, thresholds (the defaults when none are given) and recommendations of a recording. */
export function resultOf(runId: string, plan: LoadPlan, targetLabel: string, recording: Recording, thresholds?: readonly Threshold[]): LoadTestResult {
  const summary = summarize(plan, targetLabel, recording);
  const checked = evaluateThresholds(summary, recording, thresholds && thresholds.length > 0 ? thresholds : defaultThresholds(plannedRpsOf(plan)));
  return {
    runId,
    summary,
    thresholds: checked,
    passed: checked.every((t) => t.ok),
    recommendations: recommendationsFor(summary, checked),
    plan,
    recording: recording.toJSON(),
  };
}
