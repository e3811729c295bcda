import { LRUCache } from 'lru-cache';

export const COUNTER_SHARD_DEFAULTS = {
  // Shard 0 holds a quiet counter; shards 1..3 a warm one; shards 1..15 a hot one.
  shardCount: 16,
  warmShards: 4,
  // Writes by this process within `hotWithinMilliseconds` that make a counter warm, then hot. An
  // agent's few events back to back stay on shard 0 (a burst, not a hot document: spreading them
  // would make every later read of its counter several documents). A team's counter written a few
  // times a second spreads over 3 more shards; one agent at 200 events/s over 15, so each of its
  // documents stays near a write per second.
  warmWrites: 3,
  hotWrites: 8,
  hotWithinMilliseconds: 1_000,
  // Counters remembered per process (recently written ones; an evicted one is simply quiet again).
  maxCounters: 100_000,
} as const;

/** How far a counter has spread: the fields set (only ever to true) on its shard 0. */
export const SPREAD_MARKS = { warm: 'spread4', hot: 'spread' } as const;
export type SpreadTier = keyof typeof SPREAD_MARKS;

/** Where one increment of a counter goes, and whether shard 0 must say (once per tier) that others exist. */
export interface ShardChoice {
  shard: number;
  /** Written with the increment, on shard 0: readers then read the shards of this tier too. */
  mark?: SpreadTier;
}

/** The shards a reader must add to shard 0, from the marks it found there. */
export function shardsToRead(marks: { [K in (typeof SPREAD_MARKS)[SpreadTier]]?: unknown }): number {
  if (marks[SPREAD_MARKS.hot] === true) return COUNTER_SHARD_DEFAULTS.shardCount - 1;
  if (marks[SPREAD_MARKS.warm] === true) return COUNTER_SHARD_DEFAULTS.warmShards - 1;
  return 0;
}

/**
 * Chooses each scoped counter's shard per commit. A quiet counter — nearly all of 10,000 agents'
 * counters — lives in one document, shard 0, so its total is one read by document id (the
 * emulator, unlike Firestore, answers queries by scanning the whole collection, and a `counter in`
 * query per 30 counters grew to seconds at 10k agents). A counter this process writes often
 * spreads over more shards; its first write at a tier also marks shard 0 in the same commit, so no
 * reader misses a shard: reads look at shard 0, and at the others only as far as it says.
 */
export class CounterShardPicker {
  /** The times of each counter's last `hotWrites` writes by this process, oldest first. */
  private readonly recentWrites: LRUCache<string, number[]>;
  private readonly marked: LRUCache<string, Set<SpreadTier>>;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly clock: () => number = Date.now,
    private readonly options: typeof COUNTER_SHARD_DEFAULTS = COUNTER_SHARD_DEFAULTS,
  ) {
    this.recentWrites = new LRUCache({ max: options.maxCounters });
    this.marked = new LRUCache({ max: options.maxCounters });
  }

  choose(counterKey: string): ShardChoice {
    const now = this.clock();
    const recent = [...(this.recentWrites.get(counterKey) ?? []), now].slice(-this.options.hotWrites);
    this.recentWrites.set(counterKey, recent);
    const within = (n: number) => recent.length >= n && now - recent[recent.length - n]! < this.options.hotWithinMilliseconds;
    const tier: SpreadTier | undefined = within(this.options.hotWrites) ? 'hot' : within(this.options.warmWrites) ? 'warm' : undefined;
    if (!tier) return { shard: 0 };
    const width = tier === 'hot' ? this.options.shardCount : this.options.warmShards;
    const shard = 1 + Math.floor(this.random() * (width - 1));
    return this.marked.get(counterKey)?.has(tier) ? { shard } : { shard, mark: tier };
  }

  /** The commit that carried a choice's writes succeeded (a failed one may not have set the mark). */
  committed(counterKey: string, choice: ShardChoice): void {
    if (!choice.mark) return;
    const marks = this.marked.get(counterKey) ?? new Set<SpreadTier>();
    marks.add(choice.mark);
    this.marked.set(counterKey, marks);
  }
}

/** The picker of this process: shared by the spend path and billing ingestion. */
export const processShardPicker = new CounterShardPicker();
