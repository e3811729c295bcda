import { z } from 'zod';
import { OptionsError } from '../contracts/validation-error';

/** A namespace name: also part of Redis keys and glob patterns, so no glob or separator characters. */
export const namespaceSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, "-" and "_", at most 64');
/** A tag (Surrogate-Key style): no spaces, since HTTP tag headers are space-separated lists. */
export const tagSchema = z.string().regex(/^[A-Za-z0-9._:/@-]{1,128}$/, 'letters, digits and ._:/@- only, 1-128 characters');

const seconds = z.number().int().nonnegative();

/** How long an entry of a namespace lives in each tier (0: the tier does not keep it). */
export const namespacePolicySchema = z.strictObject({
  l1TtlSeconds: seconds,
  l2TtlSeconds: seconds,
  /** `Cache-Control: max-age` (and `s-maxage` for a CDN) of published content; 0 → `no-store`. */
  httpMaxAgeSeconds: seconds,
});
export type NamespacePolicy = z.infer<typeof namespacePolicySchema>;

const HOUR = 3_600;
const DAY = 86_400;

/** The seed's TTLs: L1 1 h; L2 24 h for AI responses, 7 days for research; L3 1 year for published content. */
export const DEFAULT_NAMESPACES: Readonly<Record<string, NamespacePolicy>> = {
  'ai-response': { l1TtlSeconds: HOUR, l2TtlSeconds: DAY, httpMaxAgeSeconds: 0 },
  research: { l1TtlSeconds: HOUR, l2TtlSeconds: 7 * DAY, httpMaxAgeSeconds: 0 },
  published: { l1TtlSeconds: HOUR, l2TtlSeconds: 7 * DAY, httpMaxAgeSeconds: 365 * DAY },
};

/** Any namespace not listed: the AI-response policy (the seed's default). */
export const FALLBACK_NAMESPACE_POLICY: NamespacePolicy = { l1TtlSeconds: HOUR, l2TtlSeconds: DAY, httpMaxAgeSeconds: 0 };

export const cacheSettingsSchema = z.strictObject({
  /** The `cache` label of this cache's metrics and the name in logs. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, "-" and "_"'),
  /** Prefix of every Redis key and channel, so caches can share one Redis. */
  keyPrefix: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits and :_- only'),
  l1: z.strictObject({
    maxEntries: z.number().int().positive(),
    maxBytes: z.number().int().positive(),
    /** Larger values are kept in L2 only (one huge answer must not flush the whole L1). */
    maxEntryBytes: z.number().int().positive(),
  }),
  lock: z.strictObject({
    /** How long one process may hold a key's computation before another may take over. */
    ttlMilliseconds: z.number().int().positive(),
    /** How long a process waits for another's computation before computing itself. */
    waitMilliseconds: z.number().int().nonnegative(),
    pollMilliseconds: z.number().int().positive(),
  }),
  /** A Redis command slower than this counts as Redis being unreachable (the caller never waits longer). */
  redisCommandTimeoutMilliseconds: z.number().int().positive(),
  /** A degraded cache (Redis unreachable) says so at most once per this interval. */
  degradedLogIntervalMilliseconds: z.number().int().positive(),
  /** How often lookup counts and avoided cost leave for the publisher as aggregate metric events. */
  metricsFlushIntervalMilliseconds: z.number().int().positive(),
  namespaces: z.record(namespaceSchema, namespacePolicySchema),
});
export type CacheSettings = z.infer<typeof cacheSettingsSchema>;

export const CACHE_DEFAULTS: CacheSettings = {
  name: 'governor',
  keyPrefix: 'governor:cache',
  l1: {
    // ~10k answers of a few KB: well under the 64 MB byte bound, which is what holds for big answers.
    maxEntries: 10_000,
    maxBytes: 64 * 1024 * 1024,
    maxEntryBytes: 1024 * 1024,
  },
  lock: {
    // Longer than a typical model call (a few s); a crashed holder blocks others at most this long.
    ttlMilliseconds: 30_000,
    waitMilliseconds: 30_000,
    pollMilliseconds: 25,
  },
  // Loopback Redis answers in ~0.1 ms; 250 ms means it is gone or saturated.
  redisCommandTimeoutMilliseconds: 250,
  degradedLogIntervalMilliseconds: 60_000,
  // The publisher's own metric interval: one event per series per 10 s.
  metricsFlushIntervalMilliseconds: 10_000,
  namespaces: { ...DEFAULT_NAMESPACES },
};

/** Settings as given by a caller: everything optional, namespaces merged over the defaults. */
export type CacheSettingsInput = Partial<Omit<CacheSettings, 'l1' | 'lock' | 'namespaces'>> & {
  l1?: Partial<CacheSettings['l1']>;
  lock?: Partial<CacheSettings['lock']>;
  namespaces?: Record<string, Partial<NamespacePolicy>>;
};

/** Merges over the defaults and validates once; a bad value is an OptionsError naming the field. */
export function resolveCacheSettings(input: CacheSettingsInput = {}): CacheSettings {
  const namespaces: Record<string, unknown> = { ...CACHE_DEFAULTS.namespaces };
  for (const [ns, policy] of Object.entries(input.namespaces ?? {})) {
    namespaces[ns] = { ...(CACHE_DEFAULTS.namespaces[ns] ?? FALLBACK_NAMESPACE_POLICY), ...policy };
  }
  // Only the settings' own keys: the cache's other options (clients, callbacks) travel alongside.
  const own = Object.fromEntries(Object.entries(input).filter(([k, v]) => k in CACHE_DEFAULTS && v !== undefined));
  const merged = {
    ...CACHE_DEFAULTS,
    ...own,
    l1: { ...CACHE_DEFAULTS.l1, ...input.l1 },
    lock: { ...CACHE_DEFAULTS.lock, ...input.lock },
    namespaces,
  };
  const parsed = cacheSettingsSchema.safeParse(merged);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  if (parsed.data.l1.maxEntryBytes > parsed.data.l1.maxBytes) {
    throw new OptionsError([{ path: 'l1.maxEntryBytes', message: 'cannot exceed l1.maxBytes' }]);
  }
  return parsed.data;
}

export function policyOf(settings: CacheSettings, namespace: string): NamespacePolicy {
  return settings.namespaces[namespace] ?? FALLBACK_NAMESPACE_POLICY;
}
