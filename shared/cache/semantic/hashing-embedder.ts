import { OptionsError } from '../../contracts/validation-error';
import { normalize, type Embedder } from './embedder';
import { contentStems } from './text-features';

export interface HashingEmbedderOptions {
  /** Vector length; 768 matches the Gemini embedder's default and the Firestore vector index. */
  dimensions?: number;
}

const HASHING_DEFAULTS = { dimensions: 768 } as const;

/** FNV-1a, 32 bits: a stable hash so the same text embeds the same in every process and run. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The default, offline embedder: feature hashing of content-word stems (weight 1), adjacent
 * stem pairs (1, for word order) and character trigrams of each stem (0.25, for spelling
 * variants) into a signed vector. Deterministic and dependency-free — it catches rewordings that
 * keep the content words, not synonyms; a real embedding model (GeminiEmbedder) does that.
 */
export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  // `governor cache calibrate test/fixtures/cache/labelled-pairs.jsonl` recommends it: no pair that
  // must stay apart is reused from 0.75 up, and 0.90 is the highest within 1 % of the best reuse.
  readonly defaultThreshold = 0.9;
  // Words, not meanings: the cache compares only prompts with the same content words (any order).
  readonly lexical = true;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? HASHING_DEFAULTS.dimensions;
    if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 2048) {
      throw new OptionsError([{ path: 'dimensions', message: 'an integer from 16 to 2048 (Firestore vectors hold at most 2048)' }]);
    }
    this.dimensions = dimensions;
    this.id = `hashing-v2-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): number[] {
    const v = new Array<number>(this.dimensions).fill(0);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      v[h % this.dimensions]! += h & 0x80000000 ? -weight : weight;
    };
    const stems = contentStems(text);
    stems.forEach((s, i) => {
      add(`w:${s}`, 1);
      // Pairs weigh as much as words, so "bonds fall when rates rise" stays apart from its mirror.
      if (i > 0) add(`b:${stems[i - 1]}_${s}`, 1);
      const padded = `^${s}$`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
    });
    return normalize(v);
  }
}
