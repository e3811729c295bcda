import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { parseEntry, type CacheEntry } from './cache-entry';
import type { DegradedReporter } from './degraded-reporter';

/** A cross-process invalidation, broadcast so every process drops it from its L1 too. */
export type Invalidation = { origin: string } & ({ kind: 'key'; id: string } | { kind: 'tag'; tag: string } | { kind: 'namespace'; namespace: string });

// Deletes the lock only if we still hold it (a lock that expired and was retaken is not ours).
const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface L2Options {
  url: string;
  keyPrefix: string;
  commandTimeoutMilliseconds: number;
  reporter: DegradedReporter;
}

/**
 * The shared tier on Redis. Every operation fails fast (no offline queue, a command timeout) and
 * answers "miss" / "not done" on failure after telling the reporter, so an unreachable Redis
 * degrades the cache to L1 and never fails the caller.
 */
export class L2RedisStore {
  readonly redis: Redis;
  private subscriber: Redis | undefined;
  private readonly p: string;

  constructor(private readonly options: L2Options) {
    this.p = options.keyPrefix;
    this.redis = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMilliseconds, lazyConnect: false });
    // Connection errors surface through failed commands (reported once per interval), not as events.
    this.redis.on('error', () => undefined);
  }

  /** Resolves once connected, or rejects after the timeout (the cache works on L1 meanwhile). */
  async ready(timeoutMilliseconds: number): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis not ready within ${timeoutMilliseconds} ms`)), timeoutMilliseconds);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  async get(id: string): Promise<CacheEntry | undefined> {
    const text = await this.run((r) => r.get(this.entryKey(id)));
    return typeof text === 'string' ? parseEntry(text) : undefined;
  }

  /** Stores the serialized entry for `ttlMilliseconds` and adds it to its tags' sets. */
  async set(id: string, text: string, ttlMilliseconds: number, tags: readonly string[], namespace: string): Promise<boolean> {
    const result = await this.run((r) => {
      const m = r.multi().set(this.entryKey(id), text, 'PX', ttlMilliseconds).sadd(`${this.p}:namespaces`, namespace);
      for (const tag of tags) {
        const key = this.tagKey(tag);
        // A tag set lives as long as its longest-lived entry: NX sets a first expiry, GT only extends it.
        m.sadd(key, id).pexpire(key, ttlMilliseconds, 'NX').pexpire(key, ttlMilliseconds, 'GT');
      }
      return m.exec();
    });
    return result !== undefined;
  }

  async delete(id: string): Promise<number> {
    return (await this.run((r) => r.unlink(this.entryKey(id)))) ?? 0;
  }

  async deleteTag(tag: string): Promise<number> {
    const ids = await this.run((r) => r.smembers(this.tagKey(tag)));
    if (ids === undefined) return 0;
    const removed = ids.length ? await this.run((r) => r.unlink(...ids.map((id) => this.entryKey(id)))) : 0;
    await this.run((r) => r.unlink(this.tagKey(tag)));
    return removed ?? 0;
  }

  /** Removes every entry of a namespace (SCAN + UNLINK in pages: no blocking KEYS). */
  async deleteNamespace(namespace: string): Promise<number> {
    let removed = 0;
    for await (const keys of this.scan(`${this.p}:e:${namespace}:*`)) {
      if (keys.length === 0) continue;
      const n = await this.run((r) => r.unlink(...keys));
      if (n === undefined) break;
      removed += n;
    }
    return removed;
  }

  /** Takes a key's computation lock: a token when taken, 'held' when another holds it, undefined when Redis is unreachable. */
  async tryLock(id: string, ttlMilliseconds: number): Promise<string | 'held' | undefined> {
    const token = randomBytes(12).toString('base64url');
    const ok = await this.run((r) => r.set(this.lockKey(id), token, 'PX', ttlMilliseconds, 'NX'));
    if (ok === undefined) return undefined;
    return ok === 'OK' ? token : 'held';
  }

  async releaseLock(id: string, token: string): Promise<void> {
    await this.run((r) => r.eval(RELEASE_LOCK, 1, this.lockKey(id), token));
  }

  /** true/false, or undefined when Redis cannot say. */
  async lockHeld(id: string): Promise<boolean | undefined> {
    const n = await this.run((r) => r.exists(this.lockKey(id)));
    return n === undefined ? undefined : n > 0;
  }

  /** Adds `others` to the answers never to be reused for `id` (cache.reject); no TTL: a rejection holds for good. */
  async addNegatives(id: string, others: readonly string[]): Promise<boolean> {
    return (await this.run((r) => r.sadd(this.negativesKey(id), ...others))) !== undefined;
  }

  /** The answers rejected for `id`, or undefined when Redis cannot say. */
  async negativesOf(id: string): Promise<string[] | undefined> {
    return this.run((r) => r.smembers(this.negativesKey(id)));
  }

  async publish(message: Invalidation): Promise<void> {
    await this.run((r) => r.publish(`${this.p}:invalidate`, JSON.stringify(message)));
  }

  /**
   * Listens for other processes' invalidations. `onResync` runs when the subscription comes back
   * after a disconnection: invalidations may have been missed meanwhile.
   */
  subscribe(onMessage: (message: Invalidation) => void, onResync: () => void): void {
    const sub = this.redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.subscriber = sub;
    sub.on('error', () => undefined);
    let lost = false;
    sub.on('close', () => (lost = true));
    sub.on('ready', () => {
      if (lost) onResync();
      lost = false;
    });
    sub.on('message', (_channel: string, text: string) => {
      try {
        onMessage(JSON.parse(text) as Invalidation);
      } catch {
        // A foreign message on the channel is not ours to act on.
      }
    });
    sub.subscribe(`${this.p}:invalidate`).catch(() => undefined);
  }

  /** Entries and bytes per namespace (bounded scan), for `governor cache stats`. */
  async inventory(maxKeys = 100_000): Promise<Record<string, { entries: number; bytes: number }>> {
    const out: Record<string, { entries: number; bytes: number }> = {};
    let seen = 0;
    for await (const keys of this.scan(`${this.p}:e:*`)) {
      const sizes = await this.run((r) => Promise.all(keys.map((k) => r.strlen(k))));
      keys.forEach((k, i) => {
        const ns = k.slice(this.p.length + 3).split(':')[0] ?? '?';
        const line = (out[ns] ??= { entries: 0, bytes: 0 });
        line.entries += 1;
        line.bytes += sizes?.[i] ?? 0;
      });
      seen += keys.length;
      if (seen >= maxKeys) break;
    }
    return out;
  }

  async close(): Promise<void> {
    // QUIT only on a live connection: on a dead one it would wait (the subscriber queues) or fail.
    const quit = (r: Redis | undefined) => (r?.status === 'ready' ? r.quit().catch(() => undefined) : undefined);
    await Promise.allSettled([quit(this.redis), quit(this.subscriber)]);
    this.redis.disconnect();
    this.subscriber?.disconnect();
  }

  private async *scan(match: string): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const page = await this.run((r) => r.scan(cursor, 'MATCH', match, 'COUNT', 1000));
      if (!page) return;
      cursor = page[0];
      yield page[1];
    } while (cursor !== '0');
  }

  /** Runs a command; on any failure reports it and resolves undefined. */
  private async run<T>(op: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    try {
      const result = await op(this.redis);
      this.options.reporter.success();
      return result;
    } catch (error) {
      this.options.reporter.failure(error);
      return undefined;
    }
  }

  private entryKey(id: string): string {
    return `${this.p}:e:${id}`;
  }

  private tagKey(tag: string): string {
    return `${this.p}:t:${tag}`;
  }

  private negativesKey(id: string): string {
    return `${this.p}:neg:${id}`;
  }

  private lockKey(id: string): string {
    return `${this.p}:l:${id}`;
  }
}
