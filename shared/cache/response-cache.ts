import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Logger } from '../logging/logger';
import { checkTags, entryIdOf, type CacheEntry } from './cache-entry';
import { CacheMetricsFeed, type CacheMetricsSink } from './cache-metrics-feed';
import { resolveCacheSettings, type CacheSettings, type CacheSettingsInput } from './cache-options';
import { CacheStatsCounters, summarizeStats, type CacheStats, type CacheTier, type LookupOutcome } from './cache-stats';
import { DegradedReporter, type DegradedReport } from './degraded-reporter';
import { L1Store } from './l1-store';
import { L2RedisStore } from './l2-redis-store';
import { TieredStore, type WriteOptions } from './tiered-store';

export interface ResponseCacheOptions extends CacheSettingsInput {
  /** Redis for L2 (default `REDIS_URL`; unset or '' → L1 only). */
  redisUrl?: string;
  /** Where lookup counts and avoided cost go (a GovernorPublisher); none → stats() only. */
  metrics?: CacheMetricsSink;
  /** Told at most once per `degradedLogIntervalMilliseconds` while Redis is unreachable (default: a WARNING log line). */
  onDegraded?: (report: DegradedReport) => void;
  /** Errors that never reach the caller (metrics emission, embedding, vector index); default: a WARNING log line. */
  onError?: (error: unknown, context: string) => void;
  logger?: Logger;
  /** Epoch-ms clock (tests). */
  now?: () => number;
}

export interface SetOptions extends Omit<WriteOptions, 'tags'> {
  tags?: readonly string[];
}

export interface GetOrSetOptions<T> extends Omit<SetOptions, 'costMicros'> {
  /** Avoided cost credited on each hit: a number, or computed from the value once it is known. */
  costMicros?: number | ((value: T) => number | undefined);
  /** Whether a computed value may be stored (default: always). */
  cacheIf?: (value: T) => boolean;
}

/** Hooks wrapGenerate adds around a computation: a semantic lookup before, vector indexing after. */
export interface ResolveHooks {
  beforeCompute?: () => Promise<CacheEntry | undefined>;
  afterStore?: (entry: CacheEntry, id: string) => Promise<void>;
}

type Resolved = { entry: CacheEntry; outcome: LookupOutcome };

/**
 * The response cache: L1 in process, L2 on Redis (when configured), single-flight per key in a
 * process and a short Redis lock across processes, invalidation by key, tag and namespace,
 * warming, stats per tier, and metrics through the publisher. Redis trouble never fails a call.
 */
export class ResponseCache {
  readonly settings: CacheSettings;
  protected readonly store: TieredStore;
  protected readonly counters = new CacheStatsCounters();
  protected readonly now: () => number;
  protected readonly reportError: (error: unknown, context: string) => void;
  private readonly reporter: DegradedReporter;
  private readonly feed: CacheMetricsFeed | undefined;
  private readonly flights = new Map<string, Promise<CacheEntry>>();
  private readonly log: Logger;
  private closed = false;

  constructor(options: ResponseCacheOptions = {}) {
    this.settings = resolveCacheSettings(options);
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? createLogger({ component: 'governor-cache' });
    this.reportError = options.onError ?? ((error, context) => this.log.warn({ cache: this.settings.name, context, err: String((error as Error)?.message ?? error) }, `cache "${this.settings.name}": ${context} failed (the caller was served regardless)`));
    this.reporter = new DegradedReporter(
      this.settings.name,
      this.settings.degradedLogIntervalMilliseconds,
      options.onDegraded ?? ((r) => this.log.warn({ cache: r.cache, failures: r.failures, lastError: r.lastError }, r.message)),
      (cache) => this.log.info({ cache }, `cache "${cache}": Redis (L2) reachable again`),
      this.now,
    );
    const url = options.redisUrl ?? process.env.REDIS_URL;
    const instanceId = randomBytes(9).toString('base64url');
    const l2 = url ? new L2RedisStore({ url, keyPrefix: this.settings.keyPrefix, commandTimeoutMilliseconds: this.settings.redisCommandTimeoutMilliseconds, reporter: this.reporter }) : undefined;
    this.store = new TieredStore(this.settings, new L1Store(this.settings.l1), l2, this.counters, this.now, instanceId);
    // Invalidations missed while disconnected could leave stale answers in L1: start it afresh.
    l2?.subscribe((m) => this.store.applyRemote(m), () => this.store.l1.clear());
    this.feed = options.metrics ? new CacheMetricsFeed(this.settings.name, options.metrics, this.settings.metricsFlushIntervalMilliseconds, (e) => this.reportError(e, 'metrics emission')) : undefined;
  }

  /** Resolves once Redis is connected (at once without Redis); rejects after the timeout, the cache working on L1 meanwhile. */
  async ready(timeoutMilliseconds = 5_000): Promise<this> {
    await this.store.l2?.ready(timeoutMilliseconds);
    return this;
  }

  /** The stored value, from L1 or L2 (promoted to L1), or undefined. Counts as one lookup. */
  async get<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    return (await this.lookup<T>(namespace, key))?.value;
  }

  /** Like get, and says which tier answered. */
  async lookup<T = unknown>(namespace: string, key: string): Promise<{ value: T; tier: CacheTier } | undefined> {
    const found = await this.store.read(entryIdOf(namespace, key));
    this.outcome(found?.tier ?? 'miss', found?.entry);
    return found ? { value: found.entry.value as T, tier: found.tier } : undefined;
  }

  /** Stores a value in L1 and L2 with the namespace's TTLs (or the given ones). */
  async set(namespace: string, key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    await this.store.write(entryIdOf(namespace, key), value, { ...options, tags: checkTags(options.tags ?? []) });
  }

  /**
   * The cached value, or `compute()`'s, stored for the next caller. Concurrent callers of one key
   * share one computation in a process; across processes the first takes a short Redis lock and
   * the others wait for its answer (up to `lock.waitMilliseconds`, then compute themselves).
   */
  async getOrSet<T>(namespace: string, key: string, compute: () => Promise<T> | T, options: GetOrSetOptions<T> = {}): Promise<T> {
    return (await this.resolve(entryIdOf(namespace, key), compute, options)).value as T;
  }

  /** Drops entries by key, by tag, or a whole namespace, here, in Redis, and in every process's L1. */
  async invalidate(target: { namespace: string; key?: string } | { tag: string }): Promise<number> {
    if ('tag' in target) return this.store.invalidateTag(checkTags([target.tag])[0]!);
    if (target.key !== undefined) return this.store.invalidateKey(entryIdOf(target.namespace, target.key));
    entryIdOf(target.namespace, '-');
    return this.store.invalidateNamespace(target.namespace);
  }

  /**
   * Fills the cache ahead of demand: each item's value is computed unless already cached, a few at
   * a time. A failing item is reported in the result, never thrown.
   */
  async warm<T>(namespace: string, items: readonly { key: string; compute: () => Promise<T> | T; tags?: string[] }[], options: { concurrency?: number } = {}): Promise<WarmResult> {
    const result: WarmResult = { warmed: 0, alreadyCached: 0, failed: [] };
    const queue = [...items];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        try {
          const id = entryIdOf(namespace, item.key);
          if ((await this.store.read(id)) !== undefined) result.alreadyCached += 1;
          else {
            await this.resolve(id, item.compute, { tags: item.tags ?? [] }, {}, false);
            result.warmed += 1;
          }
        } catch (error) {
          result.failed.push({ key: item.key, error: (error as Error).message ?? String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, items.length)) }, worker));
    return result;
  }

  stats(): CacheStats {
    const l2 = this.store.l2;
    return summarizeStats(
      this.settings.name,
      this.counters,
      { entries: this.store.l1.size, bytes: this.store.l1.bytes, evictions: this.store.l1.evictions },
      { enabled: l2 !== undefined, connected: l2?.connected ?? false, degraded: this.reporter.isDegraded, failures: this.reporter.totalFailures },
      this.semanticEnabled(),
    );
  }

  /** The Redis inventory (entries and bytes per namespace), or undefined without Redis. */
  async inventory(): Promise<Record<string, { entries: number; bytes: number }> | undefined> {
    return this.store.l2?.inventory();
  }

  /** Flushes metrics and closes Redis. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed?.close();
    await this.store.l2?.close();
  }

  protected semanticEnabled(): boolean {
    return false;
  }

  /** One lookup's outcome: stats, the hit-rate metric, and the avoided cost of a hit. */
  protected outcome(outcome: LookupOutcome, entry: CacheEntry | undefined): void {
    const cost = outcome === 'miss' ? undefined : entry?.costMicros;
    this.counters.outcome(outcome, cost);
    this.feed?.lookup(outcome, cost, entry?.model);
  }

  /** L1 → in-flight computation → L2 → hooks.beforeCompute → lock → compute → store → hooks.afterStore. */
  protected async resolve<T>(id: string, compute: () => Promise<T> | T, options: GetOrSetOptions<T>, hooks: ResolveHooks = {}, count = true): Promise<CacheEntry> {
    const tags = checkTags(options.tags ?? []);
    const e1 = this.store.readL1(id);
    if (e1) {
      if (count) this.outcome('l1', e1);
      return e1;
    }
    const flight = this.flights.get(id);
    if (flight) {
      this.counters.coalesced += 1;
      const entry = await flight;
      if (count) this.outcome('l1', entry);
      return entry;
    }
    const work = this.fill(id, compute, { ...options, tags }, hooks);
    const shared = work.then((r) => r.entry);
    // Followers see the leader's failure too; nobody is left with an unhandled rejection.
    shared.catch(() => undefined);
    this.flights.set(id, shared);
    try {
      const r = await work;
      if (count) this.outcome(r.outcome, r.entry);
      return r.entry;
    } finally {
      this.flights.delete(id);
    }
  }

  private async fill<T>(id: string, compute: () => Promise<T> | T, options: GetOrSetOptions<T>, hooks: ResolveHooks): Promise<Resolved> {
    const e2 = await this.store.readL2(id);
    if (e2) return { entry: e2, outcome: 'l2' };
    const similar = await hooks.beforeCompute?.();
    if (similar) return { entry: similar, outcome: 'semantic' };
    const l2 = this.store.l2;
    let token = l2 ? await l2.tryLock(id, this.settings.lock.ttlMilliseconds) : undefined;
    if (token === 'held') {
      this.counters.lockWaits += 1;
      const theirs = await this.waitForOther(id);
      if (theirs) return { entry: theirs, outcome: 'l2' };
      token = undefined;
    }
    try {
      const value = await compute();
      this.counters.computations += 1;
      const cost = typeof options.costMicros === 'function' ? options.costMicros(value) : options.costMicros;
      const { costMicros: _ignored, cacheIf: _alsoIgnored, ...rest } = options;
      const write: WriteOptions = { ...rest, ...(cost !== undefined ? { costMicros: cost } : {}) };
      if (options.cacheIf && !options.cacheIf(value)) return { entry: { value, tags: write.tags ?? [], storedAt: this.now(), expiresAt: this.now(), bytes: 0 }, outcome: 'miss' };
      const entry = await this.store.write(id, value, write);
      await hooks.afterStore?.(entry, id);
      return { entry, outcome: 'miss' };
    } finally {
      if (token) await l2?.releaseLock(id, token);
    }
  }

  /** Another process holds the key's lock: poll L2 for its answer until the lock goes or the wait ends. */
  private async waitForOther(id: string): Promise<CacheEntry | undefined> {
    const l2 = this.store.l2!;
    const deadline = this.now() + this.settings.lock.waitMilliseconds;
    while (this.now() < deadline) {
      await sleep(this.settings.lock.pollMilliseconds);
      const entry = await this.store.readL2(id, false);
      if (entry) return entry;
      // Released without an answer (failed, or not cacheable), or Redis gone: compute here.
      if ((await l2.lockHeld(id)) !== true) return this.store.readL2(id, false);
    }
    return undefined;
  }
}

export interface WarmResult {
  warmed: number;
  alreadyCached: number;
  failed: { key: string; error: string }[];
}
