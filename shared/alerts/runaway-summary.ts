import { formatUsd } from '../basics/money';
import type { RunawayAlert } from '../contracts/runaway-alert';
import type { AlertSummary } from './render-alert';

/** A burn-rate breaker's trip in words: which scope, how fast against what baseline, what it spends on, what agents see. */
export function summarizeRunaway(alert: RunawayAlert): AlertSummary {
  const perMinute = (micros: number) => `${formatUsd(micros)}/min`;
  const why =
    alert.reason === 'loop'
      ? `repeats one call: ${alert.topPrompts[0] ? `${alert.topPrompts[0].model} prompt ${alert.topPrompts[0].promptHash.slice(0, 12)}… ×${alert.topPrompts[0].calls}` : 'one (model, prompt) pair'}`
      : `spends ${perMinute(alert.rateMicrosPerMinute)} (${alert.baselineMicrosPerMinute > 0 ? `${(alert.rateMicrosPerMinute / alert.baselineMicrosPerMinute).toFixed(1)}× its baseline` : 'no baseline yet'})`;
  return {
    title: `${alert.shadow ? '[shadow] ' : ''}Runaway ${alert.scope} ${why}${alert.shadow ? ' — would have been paused' : ' — paused'}`,
    facts: [
      ['Rate', `${perMinute(alert.rateMicrosPerMinute)} over ${alert.windowSeconds} s (floor ${perMinute(alert.floorMicrosPerMinute)}, trips above ${alert.multiple}× the baseline)`],
      ['Baseline', `${perMinute(alert.baselineMicrosPerMinute)} (${alert.baselineFrom === 'own' ? 'its own median minute, last hour' : alert.baselineFrom === 'none' ? 'no history yet: the floor alone' : `its peers: ${alert.baselineFrom}`})`],
      ['Top models', alert.topModels.map((m) => `${m.model} ${formatUsd(m.micros)} (${m.calls} calls)`).join(', ') || '-'],
      ['Repeated prompts', alert.topPrompts.map((p) => `${p.model} ${p.promptHash.slice(0, 12)}… ×${p.calls}`).join(', ') || '-'],
      ['Paused', alert.shadow ? `no (shadow rule ${alert.ruleId})` : `${alert.since} until ${alert.until} (rule ${alert.ruleId})`],
    ],
    nextSteps: alert.shadow
      ? ['Nothing was paused: the rule is in shadow mode. If this trip was right, make the rule bite (set it again without --shadow).']
      : ['Agents of this scope see `paused` from their throttle reader and stop calling until the cool-down ends.', 'Find what loops (the prompt hashes above), then reset the breaker if the spend is intended.'],
    commands: ['npx governor breaker status', `npx governor breaker reset ${alert.scope}`],
  };
}
