import { calculateAiCost } from '../pricing/ai-cost';
import { priceOn, type PriceTable } from '../pricing/price-table';
import type { BudgetState } from './evaluate-budgets';
import { forecastOverBudget, ratioOf } from './evaluate-budgets';
import type { ModelUsage } from './model-usage';
import { formatPercent, formatUsd } from '../basics/money';
import { BUDGET_THRESHOLDS } from './thresholds';

/** The lowest threshold that throttles agents (95 %). */
const THROTTLE_RATIO = BUDGET_THRESHOLDS.find((t) => t.throttle !== 'none')?.ratio ?? 1;

export type Recommendation =
  | { kind: 'model-switch'; model: string; alternative: string; shareOfAiSpend: number; currentMicros: number; alternativeMicros: number; savingMicros: number; message: string }
  | { kind: 'forecast-over-budget'; budget: string; forecastMicros: number; budgetMicros: number; message: string }
  | { kind: 'throttled'; budget: string; level: string; message: string }
  | { kind: 'approaching-limit'; budget: string; ratio: number; message: string }
  | { kind: 'reallocate'; from: string; to: string; spareMicros: number; message: string }
  | { kind: 'within-budget'; message: string }
  | { kind: 'peer-outlier'; budget: string; scope: string; spentMicros: number; peerMedianMicros: number; peers: number; message: string };

export const RECOMMENDATION_DEFAULTS = {
  // Below this share of AI spend a model switch is not worth an engineer's afternoon.
  minShareForModelSwitch: 0.05,
  // A budget forecast to use less than half is a candidate to give to one forecast over.
  spareBelowRatio: 0.5,
} as const;

/** What to do about the numbers, computed from recorded spend and the price table only. */
export function recommend(
  states: readonly BudgetState[],
  models: Readonly<Record<string, ModelUsage>>,
  table: PriceTable,
  now: Date,
  options = RECOMMENDATION_DEFAULTS,
): Recommendation[] {
  const out: Recommendation[] = [];
  const aiSpend = Object.values(models).reduce((n, m) => n + m.micros, 0);

  for (const [model, usage] of Object.entries(models).sort((a, b) => b[1].micros - a[1].micros)) {
    const price = priceOn(table, model, now);
    const alternative = price?.cheaperAlternative;
    const altPrice = alternative ? priceOn(table, alternative, now) : undefined;
    if (!price || !alternative || !altPrice || altPrice.unit !== price.unit || aiSpend === 0) continue;
    const share = usage.micros / aiSpend;
    if (share < options.minShareForModelSwitch) continue;
    // Repriced in aggregate: long-context surcharges of single calls are not visible here.
    const counts = altPrice.unit === 'token' ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : { inputChars: usage.inputChars, outputChars: usage.outputChars };
    const alternativeMicros = calculateAiCost(table, { model: alternative, ...counts }, now).amountMicros;
    const savingMicros = usage.micros - alternativeMicros;
    if (savingMicros <= 0) continue;
    out.push({
      kind: 'model-switch',
      model,
      alternative,
      shareOfAiSpend: share,
      currentMicros: usage.micros,
      alternativeMicros,
      savingMicros,
      message:
        `${formatPercent(share)} of AI spend (${formatUsd(usage.micros)}) is on ${model}; the same usage on ${alternative} ` +
        `would cost ${formatUsd(alternativeMicros)} — ${formatUsd(savingMicros)} (${formatPercent(savingMicros / usage.micros)}) less, where its quality suffices.`,
    });
  }

  const over: BudgetState[] = [];
  for (const s of states) {
    if (s.throttle !== 'none') {
      out.push({ kind: 'throttled', budget: s.key, level: s.throttle, message: `${s.key} is ${s.throttle} at ${formatPercent(s.ratio)} of ${formatUsd(s.budgetMicros)}: agents obeying the flag have ${s.throttle === 'blocked' ? 'stopped' : 'slowed'} spending; raise the budget with \`governor budget set ${s.key === 'TOTAL' ? 'total' : s.key} <usd>\` if this spend is intended.` });
    } else if (s.crossed.length > 0) {
      out.push({ kind: 'approaching-limit', budget: s.key, ratio: s.ratio, message: `${s.key} has used ${formatPercent(s.ratio)} of ${formatUsd(s.budgetMicros)}; it is throttled at ${formatPercent(THROTTLE_RATIO)}.` });
    }
    if (s.forecast.status === 'ok' && forecastOverBudget(s)) {
      over.push(s);
      out.push({
        kind: 'forecast-over-budget',
        budget: s.key,
        forecastMicros: s.forecast.forecastMicros,
        budgetMicros: s.budgetMicros,
        message: `${s.key} is trending to ${formatUsd(s.forecast.forecastMicros)} this month, ${formatPercent(ratioOf(s.forecast.forecastMicros, s.budgetMicros))} of its ${formatUsd(s.budgetMicros)} budget.`,
      });
    }
  }

  for (const needy of over.filter((s) => s.key !== 'TOTAL')) {
    const spare = states
      .filter((s) => s.key !== 'TOTAL' && s.key !== needy.key && s.forecast.status === 'ok' && ratioOf(s.forecast.forecastMicros, s.budgetMicros) < options.spareBelowRatio)
      .map((s) => ({ s, spare: s.budgetMicros - (s.forecast.status === 'ok' ? s.forecast.forecastMicros : 0) }))
      .sort((a, b) => b.spare - a.spare)[0];
    if (spare && spare.spare > 0) {
      out.push({ kind: 'reallocate', from: spare.s.key, to: needy.key, spareMicros: spare.spare, message: `${spare.s.key} is forecast to leave ${formatUsd(spare.spare)} unused; moving part of it to ${needy.key} keeps the total unchanged.` });
    }
  }

  if (out.length === 0) out.push({ kind: 'within-budget', message: 'Spend is within every budget and no cheaper model would cover a significant share of AI spend.' });
  return out;
}
