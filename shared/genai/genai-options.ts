import type { CostCategory, ThrottleLevel } from '../contracts/vocabulary';
import type { CallPlan } from '../budget/call-plan';
import { COST_CATEGORIES } from '../contracts/vocabulary';
import { OptionsError } from '../contracts/validation-error';
import type { ResponseCache } from '../cache/response-cache';
import type { SpendGuard } from '../leasing/spend-guard';
import type { PriceTable } from '../pricing/price-table';
import { PRICE_TABLE } from '../pricing/price-data';
import type { UnknownModelPolicy } from '../pricing/provisional-price';
import type { GovernorPublisher } from '../publisher/publisher';
import type { EstimateDefaults } from './call-estimate';

/** What the wrapper asks of a throttle reader (a ThrottleReader, or anything answering from memory). */
export interface ThrottleAnswer {
  throttleLevel(category: CostCategory): ThrottleLevel;
  /** The call's plan under the degrade ladders (ThrottleReader.plan); without it, ladders are not followed. */
  plan?(call: { category: CostCategory; model: string }): CallPlan;
}

export interface GovernGenAIOptions {
  /** Where usage (cost events) and latency/error metrics go. Required. */
  publisher: GovernorPublisher;
  /** Calls are refused with BudgetBlockedError while the category's flag is at `refuseAt`. */
  throttle?: ThrottleAnswer;
  /** Hard budgets: a reservation from the call's estimate before it, settled with its usage after. */
  spendGuard?: SpendGuard;
  /** Answers to identical generateContent/embedContent requests are served from here, unbilled. */
  cache?: ResponseCache;
  /** Cost category of the calls (default AI_API_CALLS). */
  category?: CostCategory;
  /** The flag level that refuses calls: `blocked` (default, 100 %) or `throttled` (95 %). */
  refuseAt?: Exclude<ThrottleLevel, 'none'>;
  /** Prices for a cache entry's avoided cost; the functions price the events themselves. */
  priceTable?: PriceTable;
  /** How a model without a price is charged (see pricing/provisional-price.ts). */
  unknownModels?: UnknownModelPolicy;
  /** What an estimate assumes when a call does not say. */
  estimate?: Partial<EstimateDefaults>;
  /** Prefix of the metrics' `operation` label (default `gemini`: `gemini.generateContent`, …). */
  operationPrefix?: string;
  /** A failure after a successful call (recording its usage); the caller still gets the answer. Default: one ERROR line on stderr. */
  onError?: (error: unknown, context: string) => void;
}

export const GOVERN_GENAI_DEFAULTS = {
  category: 'AI_API_CALLS',
  refuseAt: 'blocked',
  operationPrefix: 'gemini',
  estimate: {
    // A call without maxOutputTokens may write this much before its reservation is exceeded
    // (the excess is still charged at settle, counted as overdraft).
    maxOutputTokens: 8_192,
    // Dynamic thinking on 2.5/3.x models rarely passes this; a budget set on the call replaces it.
    thinkingBudgetTokens: 8_192,
  },
} as const;

export interface ResolvedGovernOptions {
  publisher: GovernorPublisher;
  throttle: ThrottleAnswer | undefined;
  spendGuard: SpendGuard | undefined;
  cache: ResponseCache | undefined;
  category: CostCategory;
  refuseAt: Exclude<ThrottleLevel, 'none'>;
  priceTable: PriceTable;
  unknownModels: UnknownModelPolicy;
  estimate: EstimateDefaults;
  operationPrefix: string;
  onError: (error: unknown, context: string) => void;
}

function reportError(error: unknown, context: string): void {
  process.stderr.write(`${JSON.stringify({ severity: 'ERROR', component: 'governor-genai', context, message: error instanceof Error ? error.message : String(error) })}\n`);
}

/** Validates options once; a bad value throws OptionsError naming it. */
export function resolveGovernOptions(options: GovernGenAIOptions): ResolvedGovernOptions {
  const issues: { path: string; message: string }[] = [];
  if (!options?.publisher) issues.push({ path: 'publisher', message: 'a publisher is required: every call is recorded as a cost event' });
  const category = options?.category ?? GOVERN_GENAI_DEFAULTS.category;
  if (!COST_CATEGORIES.includes(category)) issues.push({ path: 'category', message: `one of ${COST_CATEGORIES.join(', ')}` });
  const refuseAt = options?.refuseAt ?? GOVERN_GENAI_DEFAULTS.refuseAt;
  if (refuseAt !== 'blocked' && refuseAt !== 'throttled') issues.push({ path: 'refuseAt', message: "'blocked' or 'throttled'" });
  const estimate = { ...GOVERN_GENAI_DEFAULTS.estimate, ...Object.fromEntries(Object.entries(options?.estimate ?? {}).filter(([, v]) => v !== undefined)) };
  for (const [key, value] of Object.entries(estimate)) {
    if (!Number.isInteger(value) || value < 0) issues.push({ path: `estimate.${key}`, message: `a non-negative integer number of tokens, got ${String(value)}` });
  }
  if (issues.length > 0) throw new OptionsError(issues);
  return {
    publisher: options.publisher,
    throttle: options.throttle,
    spendGuard: options.spendGuard,
    cache: options.cache,
    category,
    refuseAt,
    priceTable: options.priceTable ?? PRICE_TABLE,
    unknownModels: options.unknownModels ?? {},
    estimate,
    operationPrefix: options.operationPrefix ?? GOVERN_GENAI_DEFAULTS.operationPrefix,
    onError: options.onError ?? reportError,
  };
}
