import type { Reservation } from '../leasing/reservation';
import { calculateAiCost, CHARS_PER_TOKEN_ESTIMATE, type EstimateInput } from '../pricing/ai-cost';
import { BudgetBlockedError } from './budget-blocked-error';
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
      const model = modelNameOf(params.model);
      const usage = (r: GenerateContentResponse) => usageOf(r.usageMetadata);
      const run = () => this.unary('generateContent', model, estimateOf(model, params, this.o.estimate), () => models.generateContent(params), usage, promptHashOf(params));
      return this.o.cache && cacheable(params) ? this.throughCache(model, params, run, usage) : run();
    });
  }

  async generateContentStream(models: Models, params: GenerateContentParameters): Promise<AsyncGenerator<GenerateContentResponse>> {
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
  embedContent(models: Models, params: EmbedContentParameters): Promise<EmbedContentResponse> {
    return settled(() => {
      const model = modelNameOf(params.model);
      const inputTokens = Math.ceil(charsOf(params.contents) / CHARS_PER_TOKEN_ESTIMATE);
      const usage = () => ({ inputTokens });
      const run = () => this.unary('embedContent', model, { model, inputTokens, maxOutputTokens: 0 }, () => models.embedContent(params), usage);
      return this.o.cache && cacheable(params) ? this.throughCache(model, params, run, usage) : run();
    });
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
