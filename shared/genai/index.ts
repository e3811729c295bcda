// `governor/genai`: Gemini calls governed in one line.
export { governGenAI } from './govern-genai';
export { GOVERN_GENAI_DEFAULTS } from './genai-options';
export type { GovernGenAIOptions, ThrottleAnswer } from './genai-options';
export { BudgetBlockedError } from './budget-blocked-error';
export { PlanRefusedError } from '../budget/call-plan';
export { usageOf, modelNameOf } from './usage-from-response';
export type { CallUsage } from './usage-from-response';
// The prices in force (built-in + added with `governor prices add`), for a guard's or the wrapper's `priceTable`.
export { loadPriceTable } from '../store/price-overrides-store';
export type { LoadedPriceTable } from '../store/price-overrides-store';
