import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HashingEmbedder } from '../../../shared/cache/semantic/hashing-embedder';
import { calibrate, labelledPairSchema, recommend, sweep, type ScoredPair } from '../../../shared/cache/semantic/threshold-calibration';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'cache', 'labelled-pairs.jsonl');
const pairs = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((line) => labelledPairSchema.parse(JSON.parse(line)));

const scored = (category: string, reuse: boolean, similarity: number, samePartition = true): ScoredPair => ({ a: 'a', b: 'b', category, reuse, similarity, samePartition });

describe('threshold calibration', () => {
  describe('sweep', () => {
    it('counts a pair as reused only in the same partition and at or above the threshold', () => {
      const rows = sweep([scored('filler', true, 0.95), scored('typos', true, 0.8), scored('names', false, 0.9), scored('swapped-order', false, 0.99, false)], [0.85, 0.9, 0.96]);
      expect(rows.map((r) => [r.threshold, r.reuse.reused, r.falseReuse.reused])).toEqual([
        [0.85, 1, 1],
        [0.9, 1, 1],
        [0.96, 0, 0],
      ]);
      expect(rows[0]!.byCategory).toMatchObject({ filler: { pairs: 1, reused: 1, expect: 'reuse' }, 'swapped-order': { pairs: 1, reused: 0, expect: 'distinct' } });
    });
  });

  describe('recommend', () => {
    it('takes the highest threshold within the reuse tolerance among those keeping false reuse in bounds', () => {
      const rows = sweep([...Array.from({ length: 99 }, () => scored('filler', true, 0.97)), scored('reordered', true, 0.91), scored('names', false, 0.8)], [0.8, 0.85, 0.9, 0.95, 1]);
      expect(recommend(rows, 0.001, 0.01)?.threshold).toBe(0.95);
      expect(recommend(rows, 0.001, 0)?.threshold).toBe(0.9);
      expect(recommend(sweep([scored('names', false, 1)], [0.9, 1]), 0.001)).toBeUndefined();
    });
  });

  describe('calibrate on the shipped labelled set', () => {
    it('recommends the HashingEmbedder default, with no false reuse and no reuse across swapped order', async () => {
      const embedder = new HashingEmbedder();
      const c = await calibrate(pairs, embedder);
      expect(c.pairs).toBeGreaterThanOrEqual(300);
      expect(c.recommended?.threshold).toBe(embedder.defaultThreshold);
      expect(c.recommended?.falseReuse.rate).toBeLessThanOrEqual(0.001);
      expect(c.recommended?.byCategory['swapped-order']).toMatchObject({ reused: 0, expect: 'distinct' });
      expect(c.recommended?.byCategory.case).toMatchObject({ rate: 1, expect: 'reuse' });
    });

    it('refuses an empty set and a bad bound', async () => {
      await expect(calibrate([], new HashingEmbedder())).rejects.toThrow(/no labelled pairs/);
      await expect(calibrate(pairs, new HashingEmbedder(), { maxFalseReuse: 2 })).rejects.toThrow(/maxFalseReuse/);
    });
  });
});
