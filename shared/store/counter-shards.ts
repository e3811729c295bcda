import { LRUCache } from 'lru-cache';

export const COUNTER_SHARD_DEFAULTS = {
  // Shards 1..15 take a counter's writes only while it is hot; shard 0 holds everything else.
  shardCount: 16,
  // A counter this process wrote `hotWrites` times within `hotWithinMilliseconds` is hot: its writes
  // go to a random other shard, so one agent at 200 events/s keeps each document near a write per
  // second. Fewer writes stay on shard 0: an agent's few events back to back are a burst, not a
  // hot document, and spreading them would make every later read of its counter 16 documents.
  hotWrites: 3,
  hotWithinMilliseconds: 1_000,
  // Counters remembered per process (recently written ones; an evicted one is simply quiet again).
  maxCounters: 100_000,
} as const;

/** Where one increment of a counter goes, and whether shard 0 must say (once) that others exist. */
export interface ShardChoice {
  shard: number;
  /** Written with the increment, on shard 0: readers then read all the shards of this counter. */
  markSpread: boolean;
}

/**
 * Chooses each scoped counter's shard per commit. A quiet counter — nearly all of 10,000 agents'
 * counters — lives in one document, shard 0, so its total is one read by document id (the
 * emulator, unlike Firestore, answers queries by scanning the whole collection, and a `counter in`
 * query per 30 counters grew to seconds at 10k agents). A counter this process wrote three times
 * within the last second spreads over the other shards; the first such write also sets `spread` on shard 0
 * in the same commit, so no reader misses a shard: reads look at shard 0, and at the rest only
 * when it says so.
 */
export class CounterShardPicker {
  /** The times of each counter's last `hotWrites` writes by this process, oldest first. */
  private readonly recentWrites: LRUCache<string, number[]>;
  private readonly marked: LRUCache<string, true>;

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
    if (recent.length < this.options.hotWrites || now - recent[0]! >= this.options.hotWithinMilliseconds) return { shard: 0, markSpread: false };
    const shard = 1 + Math.floor(this.random() * (this.options.shardCount - 1));
    const markSpread = !this.marked.has(counterKey);
    return { shard, markSpread };
  }

  /** The commit that carried a choice's writes succeeded (a failed one may not have set the mark). */
  committed(counterKey: string, choice: ShardChoice): void {
    if (choice.markSpread) this.marked.set(counterKey, true);
  }
}

/** The picker of this process: shared by the spend path and billing ingestion. */
export const processShardPicker = new CounterShardPicker();
