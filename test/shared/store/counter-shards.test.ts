import { CounterShardPicker, COUNTER_SHARD_DEFAULTS, shardsToRead } from '../../../shared/store/counter-shards';

describe('CounterShardPicker (where a scoped counter increment goes)', () => {
  let now = 0;
  const picker = (random = () => 0.5) => new CounterShardPicker(random, () => now);
  /** Writes `n` times, 100 ms apart; returns the choices. */
  const write = (p: CounterShardPicker, key: string, n: number) => Array.from({ length: n }, () => ((now += 100), p.choose(key)));

  beforeEach(() => {
    now = 1_000_000;
  });

  it('keeps a quiet counter, and an agent’s two events back to back, in shard 0', () => {
    const p = picker();
    expect(p.choose('a')).toEqual({ shard: 0 });
    now += COUNTER_SHARD_DEFAULTS.hotWithinMilliseconds;
    expect(p.choose('a')).toEqual({ shard: 0 });
    expect(write(p, 'b', 2)).toEqual([{ shard: 0 }, { shard: 0 }]);
  });

  it('spreads a warm counter (three writes in a second) over shards 1–3, then a hot one (eight) over 1–15, marking shard 0 once per tier that commits', () => {
    const p = picker(() => 0.99);
    const choices = write(p, 'c', 9);
    expect(choices.slice(0, 2).map((c) => c.shard)).toEqual([0, 0]);
    expect(choices.slice(2, 7)).toEqual(Array(5).fill({ shard: 3, mark: 'warm' }));
    expect(choices.slice(7)).toEqual([
      { shard: 15, mark: 'hot' },
      { shard: 15, mark: 'hot' },
    ]);
    p.committed('c', { shard: 3, mark: 'warm' });
    p.committed('c', { shard: 15, mark: 'hot' });
    expect(write(p, 'c', 1)).toEqual([{ shard: 15 }]);
    // Quiet again: back to shard 0.
    now += 10_000;
    expect(p.choose('c')).toEqual({ shard: 0 });
  });

  it('never picks shard 0 for a spread write and covers every hot shard', () => {
    let r = 0;
    const p = picker(() => (r = (r + 0.37) % 1));
    const shards = new Set(Array.from({ length: 500 }, () => p.choose('hot').shard).slice(COUNTER_SHARD_DEFAULTS.hotWrites - 1));
    expect([...shards].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNTER_SHARD_DEFAULTS.shardCount - 1 }, (_, i) => i + 1));
  });

  it('tells a reader how many shards beyond shard 0 its marks call for', () => {
    expect(shardsToRead({})).toBe(0);
    expect(shardsToRead({ spread4: true })).toBe(3);
    expect(shardsToRead({ spread4: true, spread: true })).toBe(15);
  });
});
