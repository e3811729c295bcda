import { LRUCache } from 'lru-cache';

/**
 * Caps log lines per key per minute (a flood must not become a flood of log lines): the first
 * `perMinute` pass, later ones are counted and reported once the minute is over.
 */
export class LogLimiter {
  private readonly counts = new LRUCache<string, { minute: number; count: number }>({ max: 10_000 });

  constructor(private readonly perMinute: number) {}

  /** Whether this line may be logged; `suppressed` is what the key's previous minute held back. */
  admit(key: string, now: number): { log: boolean; suppressedBefore: number } {
    const minute = Math.floor(now / 60_000);
    const entry = this.counts.get(key);
    if (!entry || entry.minute !== minute) {
      const suppressedBefore = entry ? Math.max(0, entry.count - this.perMinute) : 0;
      this.counts.set(key, { minute, count: 1 });
      return { log: true, suppressedBefore };
    }
    entry.count += 1;
    return { log: entry.count <= this.perMinute, suppressedBefore: 0 };
  }
}
