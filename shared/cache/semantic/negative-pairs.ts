import { LRUCache } from 'lru-cache';
import type { L2RedisStore } from '../l2-redis-store';

/**
 * Pairs of answers that must never stand in for each other: what `cache.reject` records when a
 * reused answer was wrong. Kept in the process and, with Redis, in L2 for every process and for
 * good (a set per answer, no TTL: the answer ids are content addresses, so a pair stays true after
 * the answers expire and are computed again). Both directions are recorded: once the variant has
 * its own answer, the original must not be served the variant's either.
 */
export class NegativePairs {
  // Rejections are rare, deliberate acts; the bound only protects a process from a runaway caller.
  private readonly local = new LRUCache<string, Set<string>>({ max: 100_000 });

  constructor(private readonly l2: L2RedisStore | undefined) {}

  /** Records the pair both ways; false when Redis (configured) could not store it (it holds in this process). */
  async add(a: string, b: string): Promise<boolean> {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const set = this.local.get(x) ?? new Set<string>();
      set.add(y);
      this.local.set(x, set);
    }
    if (!this.l2) return true;
    const stored = await Promise.all([this.l2.addNegatives(a, [b]), this.l2.addNegatives(b, [a])]);
    return stored.every(Boolean);
  }

  /** The answers never to be reused for `id`: this process's and, with Redis, every process's. */
  async of(id: string): Promise<ReadonlySet<string>> {
    const local = this.local.get(id);
    const shared = (await this.l2?.negativesOf(id)) ?? [];
    if (!shared.length) return local ?? new Set();
    return new Set([...(local ?? []), ...shared]);
  }
}
