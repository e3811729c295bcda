import { CounterShardPicker, COUNTER_SHARD_DEFAULTS } from '../../../shared/store/counter-shards';

describe('CounterShardPicker (where a scoped counter increment goes)', () => {
  let now = 0;
  const picker = () => new CounterShardPicker(() => 0.5, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('keeps a quiet counter in shard 0', () => {
    const p = picker();
    expect(p.choose('a')).toEqual({ shard: 0, markSpread: false });
    now += COUNTER_SHARD_DEFAULTS.hotWithinMilliseconds;
    expect(p.choose('a')).toEqual({ shard: 0, markSpread: false });
    expect(p.choose('b')).toEqual({ shard: 0, markSpread: false });
  });

  it('keeps a counter written twice within a second in shard 0 (a burst of an agent’s events)', () => {
    const p = picker();
    expect(p.choose('a').shard).toBe(0);
    now += 100;
    expect(p.choose('a').shard).toBe(0);
  });

  it('spreads a counter written three times within a second over the other shards, marking shard 0 until a mark commits', () => {
    const p = picker();
    p.choose('hot');
    now += 100;
    p.choose('hot');
    now += 100;
    const first = p.choose('hot');
    expect(first).toEqual({ shard: 8, markSpread: true });
    // Its commit failed: the next spread write marks again.
    now += 100;
    expect(p.choose('hot').markSpread).toBe(true);
    p.committed('hot', { shard: 8, markSpread: true });
    now += 100;
    expect(p.choose('hot')).toEqual({ shard: 8, markSpread: false });
  });

  it('never picks shard 0 for a spread write and covers every other shard', () => {
    let r = 0;
    const p = new CounterShardPicker(() => (r = (r + 0.37) % 1), () => now);
    const shards = new Set<number>();
    for (let i = 0; i < 500; i++) shards.add(p.choose('hot').shard);
    shards.delete(0); // the first two writes only
    expect([...shards].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNTER_SHARD_DEFAULTS.shardCount - 1 }, (_, i) => i + 1));
  });
});
