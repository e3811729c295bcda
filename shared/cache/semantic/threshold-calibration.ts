import { z } from 'zod';
import { SIMILARITY_TOLERANCE } from './vector-index';
import type { Embedder } from './embedder';
import { normalizePrompt, promptPartition } from './generate-request';

/** One labelled pair: may `b` be served `a`'s answer? `category` groups the report (swapped-order, periods, case, …). */
export const labelledPairSchema = z.strictObject({
  a: z.string().min(1),
  b: z.string().min(1),
  reuse: z.boolean(),
  category: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and "-"'),
});
export type LabelledPair = z.infer<typeof labelledPairSchema>;

/** A pair as the cache sees it: whether the prompts share a partition (salient signature, and content words for a lexical embedder) and their similarity. */
export interface ScoredPair extends LabelledPair {
  samePartition: boolean;
  similarity: number;
}

export interface Tally {
  pairs: number;
  reused: number;
  /** reused ÷ pairs (0 when there are no pairs). */
  rate: number;
}

export interface ThresholdRow {
  threshold: number;
  /** Pairs labelled "reuse" that would be reused. */
  reuse: Tally;
  /** Pairs labelled "distinct" that would be reused: wrong answers. */
  falseReuse: Tally;
  byCategory: Record<string, Tally & { expect: 'reuse' | 'distinct' | 'mixed' }>;
}

export interface Calibration {
  embedder: string;
  pairs: number;
  maxFalseReuse: number;
  rows: ThresholdRow[];
  /** Undefined when no threshold keeps false reuse within the bound. */
  recommended: ThresholdRow | undefined;
}

export const CALIBRATION_DEFAULTS = {
  // The bound: at most 1 wrong answer per 1,000 reused pairs that must stay apart.
  maxFalseReuse: 0.001,
  // Reuse given up for margin: at most 1 % of the best reuse.
  reuseTolerance: 0.01,
} as const;

/** Thresholds swept: 0.50 to 1.00 in steps of 0.01. */
export const CALIBRATION_THRESHOLDS: readonly number[] = Array.from({ length: 51 }, (_, i) => (50 + i) / 100);

/** Embeds every distinct prompt once (in the embedder's batches) and scores each pair as the cache would. */
export async function scorePairs(pairs: readonly LabelledPair[], embedder: Embedder): Promise<ScoredPair[]> {
  const texts = [...new Set(pairs.flatMap((p) => [normalizePrompt(p.a), normalizePrompt(p.b)]))];
  const vectors = await embedder.embed(texts);
  const vectorOf = new Map(texts.map((t, i) => [t, vectors[i]!]));
  return pairs.map((p) => {
    const va = vectorOf.get(normalizePrompt(p.a))!;
    const vb = vectorOf.get(normalizePrompt(p.b))!;
    // The dot product of unit vectors, computed as the in-process vector index does.
    let dot = 0;
    for (let i = 0; i < va.length; i++) dot += va[i]! * (vb[i] ?? 0);
    return { ...p, samePartition: promptPartition(p.a, embedder) === promptPartition(p.b, embedder), similarity: dot };
  });
}

const tally = (pairs: number, reused: number): Tally => ({ pairs, reused, rate: pairs ? reused / pairs : 0 });

/** Reuse and false reuse at each threshold, overall and per category. */
export function sweep(scored: readonly ScoredPair[], thresholds: readonly number[] = CALIBRATION_THRESHOLDS): ThresholdRow[] {
  return thresholds.map((threshold) => {
    // As the vector index compares: identical prompts must count at 1.00 despite rounding.
    const reusedAt = (p: ScoredPair) => p.samePartition && p.similarity >= threshold - SIMILARITY_TOLERANCE;
    const byCategory: ThresholdRow['byCategory'] = {};
    for (const p of scored) {
      const c = (byCategory[p.category] ??= { pairs: 0, reused: 0, rate: 0, expect: p.reuse ? 'reuse' : 'distinct' });
      c.pairs += 1;
      if (reusedAt(p)) c.reused += 1;
      if (c.expect !== (p.reuse ? 'reuse' : 'distinct')) c.expect = 'mixed';
    }
    for (const c of Object.values(byCategory)) c.rate = c.reused / c.pairs;
    const must = scored.filter((p) => p.reuse);
    const mustNot = scored.filter((p) => !p.reuse);
    return { threshold, reuse: tally(must.length, must.filter(reusedAt).length), falseReuse: tally(mustNot.length, mustNot.filter(reusedAt).length), byCategory };
  });
}

/**
 * The recommended threshold: among those keeping false reuse ≤ `maxFalseReuse`, the highest whose
 * reuse is within `reuseTolerance` (relative) of the best. A labelled set is finite and a wrong
 * answer costs more than a recomputed one, so the margin goes to the pairs it did not foresee.
 */
export function recommend(rows: readonly ThresholdRow[], maxFalseReuse: number, reuseTolerance: number = CALIBRATION_DEFAULTS.reuseTolerance): ThresholdRow | undefined {
  const feasible = rows.filter((r) => r.falseReuse.rate <= maxFalseReuse);
  if (!feasible.length) return undefined;
  const best = Math.max(...feasible.map((r) => r.reuse.rate));
  return feasible.filter((r) => r.reuse.rate >= best * (1 - reuseTolerance)).reduce((a, b) => (b.threshold > a.threshold ? b : a));
}

/** Scores the pairs with the embedder, sweeps the thresholds and recommends one. */
export async function calibrate(pairs: readonly LabelledPair[], embedder: Embedder, options: { maxFalseReuse?: number; reuseTolerance?: number } = {}): Promise<Calibration> {
  const maxFalseReuse = options.maxFalseReuse ?? CALIBRATION_DEFAULTS.maxFalseReuse;
  const reuseTolerance = options.reuseTolerance ?? CALIBRATION_DEFAULTS.reuseTolerance;
  if (!(reuseTolerance >= 0 && reuseTolerance < 1)) throw new RangeError(`reuseTolerance must be in [0, 1), got ${reuseTolerance}`);
  if (!(maxFalseReuse >= 0 && maxFalseReuse < 1)) throw new RangeError(`maxFalseReuse must be in [0, 1), got ${maxFalseReuse}`);
  if (!pairs.length) throw new RangeError('no labelled pairs to calibrate on');
  const rows = sweep(await scorePairs(pairs, embedder));
  return { embedder: embedder.id, pairs: pairs.length, maxFalseReuse, rows, recommended: recommend(rows, maxFalseReuse, reuseTolerance) };
}
