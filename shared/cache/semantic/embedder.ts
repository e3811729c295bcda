/** Turns texts into vectors. Vectors of different embedders (ids) are never compared. */
export interface Embedder {
  /** Names the embedding space (model and dimensions): part of every semantic scope. */
  readonly id: string;
  readonly dimensions: number;
  /** A conservative cosine-similarity threshold for this embedder, used unless one is configured. */
  readonly defaultThreshold: number;
  /**
   * True for an embedder that compares words, not meanings (no synonyms): prompts must then have
   * the same content words to be compared, and the similarity only weighs their order.
   */
  readonly lexical?: boolean;
  /** One unit-length vector of `dimensions` numbers per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** Cosine similarity of two vectors (1 = same direction). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((n, x) => n + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}
