import { performance } from 'node:perf_hooks';
import { namespaceOfId, serializeEntry, type CacheEntry } from './cache-entry';
import { policyOf, type CacheSettings } from './cache-options';
import type { CacheStatsCounters, CacheTier } from './cache-stats';
import type { L1Store } from './l1-store';
import type { Invalidation, L2RedisStore } from './l2-redis-store';

export interface WriteOptions {
  tags?: readonly string[];
  costMicros?: number;
  model?: string;
  /** Override the namespace's TTLs for this entry. */
  l1TtlSeconds?: number;
  l2TtlSeconds?: number;
}

/**
 * L1 in front of L2: reads try L1, then L2 (a hit is promoted into L1 for the shorter of its
 * remaining L2 life and the L1 TTL); writes go to both; invalidations apply here, in Redis, and
 * are broadcast so every other process drops them from its L1 too.
 */
export class TieredStore {
  constructor(
    private readonly settings: CacheSettings,
    readonly l1: L1Store,
    readonly l2: L2RedisStore | undefined,
    private readonly counters: CacheStatsCounters,
    private readonly now: () => number,
    private readonly instanceId: string,
  ) {}

  readL1(id: string): CacheEntry | undefined {
    const t0 = performance.now();
    const entry = this.l1.get(id, this.now());
    this.counters.tiers.l1.record(entry !== undefined, (performance.now() - t0) * 1000);
    return entry;
  }

  /** L2 read with promotion; undefined when absent, expired, or Redis is unreachable. */
  async readL2(id: string, record = true): Promise<CacheEntry | undefined> {
    if (!this.l2) return undefined;
    const t0 = performance.now();
    const entry = await this.l2.get(id);
    const now = this.now();
    const live = entry && entry.expiresAt > now ? entry : undefined;
    if (record) this.counters.tiers.l2.record(live !== undefined, (performance.now() - t0) * 1000);
    if (live) this.promote(id, live, now);
    return live;
  }

  async read(id: string): Promise<{ entry: CacheEntry; tier: CacheTier } | undefined> {
    const e1 = this.readL1(id);
    if (e1) return { entry: e1, tier: 'l1' };
    const e2 = await this.readL2(id);
    return e2 ? { entry: e2, tier: 'l2' } : undefined;
  }

  async write(id: string, value: unknown, options: WriteOptions): Promise<CacheEntry> {
    const policy = policyOf(this.settings, namespaceOfId(id));
    const l1Ttl = (options.l1TtlSeconds ?? policy.l1TtlSeconds) * 1000;
    const l2Ttl = this.l2 ? (options.l2TtlSeconds ?? policy.l2TtlSeconds) * 1000 : 0;
    const now = this.now();
    const base = { value, tags: options.tags ?? [], storedAt: now, expiresAt: now + Math.max(l1Ttl, l2Ttl), ...(options.costMicros !== undefined ? { costMicros: options.costMicros } : {}), ...(options.model ? { model: options.model } : {}) };
    const text = serializeEntry(base);
    const entry: CacheEntry = { ...base, bytes: Buffer.byteLength(text) };
    if (l2Ttl > 0 && this.l2) {
      if (await this.l2.set(id, text, l2Ttl, entry.tags, namespaceOfId(id))) this.counters.bytesWritten += entry.bytes;
    }
    if (l1Ttl > 0) this.l1.set(id, { ...entry, expiresAt: now + l1Ttl });
    return entry;
  }

  async invalidateKey(id: string): Promise<number> {
    const n = Math.max(this.l1.delete(id), (await this.l2?.delete(id)) ?? 0);
    await this.broadcast({ kind: 'key', id });
    return n;
  }

  async invalidateTag(tag: string): Promise<number> {
    const local = this.l1.deleteTag(tag);
    const shared = (await this.l2?.deleteTag(tag)) ?? 0;
    await this.broadcast({ kind: 'tag', tag });
    return Math.max(local, shared);
  }

  async invalidateNamespace(namespace: string): Promise<number> {
    const local = this.l1.deleteNamespace(namespace);
    const shared = (await this.l2?.deleteNamespace(namespace)) ?? 0;
    await this.broadcast({ kind: 'namespace', namespace });
    return Math.max(local, shared);
  }

  /** Another process's invalidation: drop it from this L1 (Redis is already done). */
  applyRemote(message: Invalidation): void {
    if (message.origin === this.instanceId) return;
    if (message.kind === 'key') this.l1.delete(message.id);
    else if (message.kind === 'tag') this.l1.deleteTag(message.tag);
    else if (message.kind === 'namespace') this.l1.deleteNamespace(message.namespace);
  }

  private promote(id: string, entry: CacheEntry, now: number): void {
    const l1Ttl = policyOf(this.settings, namespaceOfId(id)).l1TtlSeconds * 1000;
    if (l1Ttl > 0) this.l1.set(id, { ...entry, expiresAt: Math.min(entry.expiresAt, now + l1Ttl) });
  }

  private async broadcast(body: { kind: 'key'; id: string } | { kind: 'tag'; tag: string } | { kind: 'namespace'; namespace: string }): Promise<void> {
    await this.l2?.publish({ ...body, origin: this.instanceId });
  }
}
