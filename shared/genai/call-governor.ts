import type { Reservation } from '../leasing/reservation';
import { calculateAiCost, CHARS_PER_TOKEN_ESTIMATE, type EstimateInput } from '../pricing/ai-cost';
import { BudgetBlockedError } from './budget-blocked-error';
import { PlanRefusedError, type CallPlan } from '../budget/call-plan';
import { CallCharge } from './call-charge';
import { charsOf, estimateOf } from './call-estimate';
import type { ResolvedGovernOptions } from './genai-options';
import type { EmbedContentParameters, EmbedContentResponse, GenerateContentParameters, GenerateContentResponse, GoogleGenAI } from './genai-types';
import { governedStream } from './governed-stream';
import { cacheable, CACHE_NAMESPACE, rehydrate, requestKey, storedForm, type StoredResponse } from './response-caching';
import { promptHashOf } from './prompt-hash';
import { throttleRank } from '../budget/thresholds';
import { modelNameOf, usageOf, type CallUsage } from './usage-from-response';

type Models = GoogleGenAI['models'];

/** Runs `start`; a synchronous throw (bad params) becomes a rejection, as from the client's own async methods. */
function settled<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The per-call steps around each model method: admit → (cache) → reserve → call → charge. */
export class CallGovernor {
  constructor(private readonly o: ResolvedGovernOptions) {}

  generateContent(models: Models, params: GenerateContentParameters): Promise<GenerateContentResponse> {
    return settled(() => {
      const { plan, effective } = this.planned(params);
      const model = modelNameOf(effective.model);
      const usage = (r: GenerateContentResponse) => usageOf(r.usageMetadata);
      const run = () => this.unary('generateContent', model, estimateOf(model, effective, this.o.estimate), () => models.generateContent(effective), usage, promptHashOf(effective));
      const go = () => (this.o.cache && cacheable(effective) ? this.throughCache(model, effective, run, usage) : run());
      return plan ? this.obey(plan, [params, effective], go) : go();
    });
  }

  async generateContentStream(models: Models, asked: GenerateContentParameters): Promise<AsyncGenerator<GenerateContentResponse>> {
    const { plan, effective: params } = this.planned(asked);
    // A stream is never cached: under cache-only (or a block) it is refused.
    if (plan) await this.cachedUnder<never>(plan, []);
    const model = modelNameOf(params.model);
    const started = this.begin('generateContentStream', model, estimateOf(model, params, this.o.estimate), promptHashOf(params));
    const charge = started instanceof CallCharge ? started : await started;
    let inner: AsyncGenerator<GenerateContentResponse>;
    try {
      inner = await models.generateContentStream(params);
    } catch (error) {
      charge.release();
      throw error;
    }
    return governedStream(inner, charge);
  }

  /** Embeddings report no usage on the Gemini API: their input is charged as estimated from its text. */
  embedContent(models: Models, asked: EmbedContentParameters): Promise<EmbedContentResponse> {
    return settled(() => {
      const { plan, effective: params } = this.planned(asked);
      const model = modelNameOf(params.model);
      const inputTokens = Math.ceil(charsOf(params.contents) / CHARS_PER_TOKEN_ESTIMATE);
      const usage = () => ({ inputTokens });
      const run = () => this.unary('embedContent', model, { model, inputTokens, maxOutputTokens: 0 }, () => models.embedContent(params), usage);
      const go = () => (this.o.cache && cacheable(params) ? this.throughCache(model, params, run, usage) : run());
      return plan ? this.obey(plan, [asked, params], go) : go();
    });
  }

  /** The reader's plan for a call (none without a planner), and the parameters it calls with (the downgraded model). */
  private planned<P extends { model: string }>(params: P): { plan: CallPlan | undefined; effective: P } {
    const plan = this.o.throttle?.plan?.({ category: this.o.category, model: modelNameOf(params.model) });
    if (!plan || plan.model === modelNameOf(params.model)) return { plan, effective: params };
    return { plan, effective: { ...params, model: plan.model } };
  }

  /**
   * Follows a plan: under prefer-cache, cache-only or a block, a cached answer to the request as
   * asked (a better model's) or as downgraded comes first; without one, cache-only and a block
   * refuse with the deciding budget named, and anything else calls `go`.
   */
  private async obey<R extends object>(plan: CallPlan, asked: readonly { model: string; config?: object }[], go: () => Promise<R>): Promise<R> {
    return (await this.cachedUnder<R>(plan, asked)) ?? go();
  }

  /** The cached answer a plan takes first (none unless prefer-cache, cache-only or a block); refuses cache-only and a block without one. */
  private async cachedUnder<R>(plan: CallPlan, asked: readonly { model: string; config?: object }[]): Promise<R | undefined> {
    if (!plan.preferCache && !plan.cacheOnly && !plan.blocked) return undefined;
    for (const params of new Set(asked)) {
      if (!this.o.cache || !cacheable(params)) continue;
      const stored = await this.o.cache.get<StoredResponse>(CACHE_NAMESPACE, requestKey(params));
      if (stored) return rehydrate(stored) as R;
    }
    if (plan.blocked) throw new BudgetBlockedError(this.o.category, 'blocked', plan.reason);
    if (plan.cacheOnly) throw new PlanRefusedError('cache-only', plan);
    return undefined;
  }

  /** One request, one answer: charged with the answer's usage, released when the request fails. */
  private async unary<R>(method: string, model: string, estimate: EstimateInput, call: () => Promise<R>, usage: (r: R) => CallUsage | undefined, promptHash?: string): Promise<R> {
    const started = this.begin(method, model, estimate, promptHash);
    const charge = started instanceof CallCharge ? started : await started;
    let response: R;
    try {
      response = await call();
    } catch (error) {
      charge.release();
      throw error;
    }
    charge.charge(usage(response), true);
    return response;
  }

  /** Throttle, then the hard-budget reservation, then the measurement; a refusal throws before any I/O to Gemini. */
  private begin(method: string, model: string, estimate: EstimateInput, promptHash?: string): CallCharge | Promise<CallCharge> {
    const level = this.o.throttle?.throttleLevel(this.o.category) ?? 'none';
    // `paused` (a tripped burn-rate breaker) ranks above `blocked`: refused as well.
    if (throttleRank(level) >= throttleRank('blocked') || (level === 'throttled' && this.o.refuseAt === 'throttled')) throw new BudgetBlockedError(this.o.category, level);
    const promptTokens = estimate.inputTokens ?? Math.ceil((estimate.inputChars ?? 0) / CHARS_PER_TOKEN_ESTIMATE);
    const start = (reservation: Reservation | undefined) =>
      new CallCharge(this.o, model, reservation, this.o.publisher.measure(`${this.o.operationPrefix}.${method}`, { model }), { inputTokens: promptTokens, outputTokens: 0 }, promptHash);
    // Without a guard there is nothing to wait for: no promise, no extra turn.
    return this.o.spendGuard ? this.o.spendGuard.reserve({ category: this.o.category, ...estimate }).then(start) : start(undefined);
  }

  /**
   * With a response cache, an identical request is answered from it: no throttle refusal, no
   * reservation, no charge (a hit spends nothing); its avoided cost is credited. The caller that
   * computed gets the service's own response object.
   */
  private async throughCache<P extends { model: string; config?: object }, R extends object>(model: string, params: P, run: () => Promise<R>, usage: (r: R) => CallUsage | undefined): Promise<R> {
    const cache = this.o.cache;
    if (!cache || !cacheable(params)) return run();
    let fresh: R | undefined;
    const stored = await cache.getOrSet<StoredResponse>(
      CACHE_NAMESPACE,
      requestKey(params),
      async () => storedForm((fresh = await run())),
      { costMicros: (v) => this.avoidedMicros(model, usage(v.body as R)), cacheIf: (v) => v.cacheable },
    );
    return fresh ?? (rehydrate(stored) as R);
  }

  private avoidedMicros(model: string, usage: CallUsage | undefined): number | undefined {
    if (!usage) return undefined;
    try {
      return calculateAiCost(this.o.priceTable, { model, ...usage }, new Date(), this.o.unknownModels).amountMicros;
    } catch {
      return undefined;
    }
  }
}
