import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './cache-entry';
import { namespaceOfId } from './cache-entry';

export interface L1Limits {
  maxEntries: number;
  maxBytes: number;
  maxEntryBytes: number;
}

/**
 * The in-process tier: an lru-cache bounded by entry count and by bytes (each entry weighs its
 * serialized size), with indexes by tag and namespace so invalidation needs no scan. Expiry is
 * checked against the injected clock on read, so tests need no fake timers.
 */
export class L1Store {
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly byTag = new Map<string, Set<string>>();
  private readonly byNamespace = new Map<string, Set<string>>();
  evictions = 0;

  constructor(private readonly limits: L1Limits) {
    this.lru = new LRUCache<string, CacheEntry>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
      dispose: (entry, id, reason) => {
        if (reason === 'evict') this.evictions += 1;
        // 'set' replaces in place: the new entry re-indexes itself.
        this.unindex(id, entry);
      },
    });
  }

  /** The live entry, or undefined (an expired one is dropped on the way). */
  get(id: string, now: number): CacheEntry | undefined {
    const entry = this.lru.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.lru.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Keeps an entry unless it is over the per-entry bound (then L2 alone holds it). */
  set(id: string, entry: CacheEntry): boolean {
    if (entry.bytes > this.limits.maxEntryBytes) {
      this.lru.delete(id);
      return false;
    }
    this.lru.set(id, entry);
    for (const tag of entry.tags) this.index(this.byTag, tag, id);
    this.index(this.byNamespace, namespaceOfId(id), id);
    return true;
  }

  delete(id: string): number {
    return this.lru.delete(id) ? 1 : 0;
  }

  deleteTag(tag: string): number {
    return this.deleteAll(this.byTag.get(tag));
  }

  deleteNamespace(namespace: string): number {
    return this.deleteAll(this.byNamespace.get(namespace));
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  private deleteAll(ids: Set<string> | undefined): number {
    if (!ids) return 0;
    let n = 0;
    for (const id of [...ids]) n += this.delete(id);
    return n;
  }

  private index(map: Map<string, Set<string>>, name: string, id: string): void {
    let ids = map.get(name);
    if (!ids) map.set(name, (ids = new Set()));
    ids.add(id);
  }

  private unindex(id: string, entry: CacheEntry): void {
    for (const tag of entry.tags) this.removeFrom(this.byTag, tag, id);
    this.removeFrom(this.byNamespace, namespaceOfId(id), id);
  }

  private removeFrom(map: Map<string, Set<string>>, name: string, id: string): void {
    const ids = map.get(name);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) map.delete(name);
  }
}
