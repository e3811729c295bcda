import { calculateAiCost, CHARS_PER_TOKEN_ESTIMATE, type EstimateInput } from '../pricing/ai-cost';
import { BudgetBlockedError } from './budget-blocked-error';
import { CallCharge } from './call-charge';
import { charsOf, estimateOf } from './call-estimate';
import type { ResolvedGovernOptions } from './genai-options';
import type { EmbedContentParameters, EmbedContentResponse, GenerateContentParameters, GenerateContentResponse, GoogleGenAI } from './genai-types';
import { governedStream } from './governed-stream';
import { cacheable, CACHE_NAMESPACE, rehydrate, requestKey, storedForm, type StoredResponse } from './response-caching';
import { modelNameOf, usageOf, type CallUsage } from './usage-from-response';

type Models = GoogleGenAI['models'];

/** The per-call steps around each model method: admit → (cache) → reserve → call → charge. */
export class CallGovernor {
  constructor(private readonly o: ResolvedGovernOptions) {}

  async generateContent(models: Models, params: GenerateContentParameters): Promise<GenerateContentResponse> {
    const model = modelNameOf(params.model);
    const run = async () => {
      const charge = await this.begin('generateContent', model, estimateOf(model, params, this.o.estimate));
      let response: GenerateContentResponse;
      try {
        response = await models.generateContent(params);
      } catch (error) {
        charge.release();
        throw error;
      }
      charge.charge(usageOf(response.usageMetadata), true);
      return response;
    };
    return this.throughCache(model, params, run, (r) => usageOf(r.usageMetadata));
  }

  async generateContentStream(models: Models, params: GenerateContentParameters): Promise<AsyncGenerator<GenerateContentResponse>> {
    const model = modelNameOf(params.model);
    const charge = await this.begin('generateContentStream', model, estimateOf(model, params, this.o.estimate));
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
  async embedContent(models: Models, params: EmbedContentParameters): Promise<EmbedContentResponse> {
    const model = modelNameOf(params.model);
    const inputTokens = Math.ceil(charsOf(params.contents) / CHARS_PER_TOKEN_ESTIMATE);
    const run = async () => {
      const charge = await this.begin('embedContent', model, { model, inputTokens, maxOutputTokens: 0 });
      let response: EmbedContentResponse;
      try {
        response = await models.embedContent(params);
      } catch (error) {
        charge.release();
        throw error;
      }
      charge.charge({ inputTokens }, true);
      return response;
    };
    return this.throughCache(model, params, run, () => ({ inputTokens }));
  }

  /** Throttle, then the hard-budget reservation, then the measurement; a refusal throws before any I/O to Gemini. */
  private async begin(method: string, model: string, estimate: EstimateInput): Promise<CallCharge> {
    const level = this.o.throttle?.throttleLevel(this.o.category) ?? 'none';
    if (level === 'blocked' || (level === 'throttled' && this.o.refuseAt === 'throttled')) throw new BudgetBlockedError(this.o.category, level);
    const reservation = this.o.spendGuard ? await this.o.spendGuard.reserve({ category: this.o.category, ...estimate }) : undefined;
    const measurement = this.o.publisher.measure(`${this.o.operationPrefix}.${method}`, { model });
    const promptTokens = estimate.inputTokens ?? Math.ceil((estimate.inputChars ?? 0) / CHARS_PER_TOKEN_ESTIMATE);
    return new CallCharge(this.o, model, reservation, measurement, { inputTokens: promptTokens, outputTokens: 0 });
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
