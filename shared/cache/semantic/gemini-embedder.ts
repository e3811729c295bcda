import type { GoogleGenAI, GoogleGenAIOptions } from '@google/genai' with { 'resolution-mode': 'import' };
import { OptionsError } from '../../contracts/validation-error';
import { normalize, type Embedder } from './embedder';

export interface GeminiEmbedderOptions {
  /** A client you built; default: `new GoogleGenAI(clientOptions)` (API key from GEMINI_API_KEY / GOOGLE_API_KEY, or Vertex AI with `vertexai: true`). */
  client?: GoogleGenAI;
  clientOptions?: GoogleGenAIOptions;
  model?: string;
  /** Requested output size; 768 matches the Firestore vector index. */
  dimensions?: number;
  /** Texts per request (the Gemini API takes up to 100 per batch). */
  maxBatch?: number;
  /** Deadline of one request. */
  timeoutMilliseconds?: number;
}

const GEMINI_EMBEDDER_DEFAULTS = {
  model: 'gemini-embedding-001',
  dimensions: 768,
  maxBatch: 100,
  // An embedding call adds to a cache miss's latency; a slow one is abandoned (the lookup then misses).
  timeoutMilliseconds: 5_000,
} as const;

/**
 * Production embeddings: Gemini's embedding model through Google's own client (@google/genai),
 * with the SEMANTIC_SIMILARITY task type. Truncated (768) outputs are re-normalised to unit length,
 * as the model's documentation asks for dimensions below 3072.
 */
export class GeminiEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  // Gemini embeddings put paraphrases around 0.90–0.98 and related-but-different requests in the
  // 0.80s; 0.95 errs towards computing. Measure on your own prompts before lowering it.
  readonly defaultThreshold = 0.95;
  private readonly client: GoogleGenAI;
  private readonly o: Required<Omit<GeminiEmbedderOptions, 'client' | 'clientOptions'>>;

  constructor(options: GeminiEmbedderOptions = {}) {
    this.o = { ...GEMINI_EMBEDDER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof this.o;
    if (!Number.isInteger(this.o.dimensions) || this.o.dimensions < 1 || this.o.dimensions > 3072) throw new OptionsError([{ path: 'dimensions', message: 'an integer from 1 to 3072' }]);
    if (!Number.isInteger(this.o.maxBatch) || this.o.maxBatch < 1 || this.o.maxBatch > 100) throw new OptionsError([{ path: 'maxBatch', message: 'an integer from 1 to 100' }]);
    this.client = options.client ?? new (loadGenAi().GoogleGenAI)(options.clientOptions ?? {});
    this.dimensions = this.o.dimensions;
    this.id = `gemini-${this.o.model}-${this.o.dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.o.maxBatch) {
      const batch = texts.slice(i, i + this.o.maxBatch);
      const response = await this.client.models.embedContent({
        model: this.o.model,
        contents: [...batch],
        config: { outputDimensionality: this.o.dimensions, taskType: 'SEMANTIC_SIMILARITY', httpOptions: { timeout: this.o.timeoutMilliseconds } },
      });
      const vectors = response.embeddings?.map((e) => e.values ?? []) ?? [];
      if (vectors.length !== batch.length || vectors.some((v) => v.length !== this.dimensions)) {
        throw new Error(`${this.o.model} returned ${vectors.length} embedding(s) of ${vectors.map((v) => v.length).join('/')} dimensions for ${batch.length} text(s) of ${this.dimensions}`);
      }
      out.push(...vectors.map((v) => normalize([...v])));
    }
    return out;
  }
}

/** The package ships CommonJS for Node (`require` condition) but its types are ESM-only: load it by hand. */
function loadGenAi(): typeof import('@google/genai', { with: { 'resolution-mode': 'import' } }) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@google/genai') as typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });
}
