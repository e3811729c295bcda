import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { z } from 'zod';
import { OptionsError } from '../contracts/validation-error';

export const RATE_DIMENSIONS = ['ip', 'user', 'apiKey'] as const;
export type RateDimension = (typeof RATE_DIMENSIONS)[number];

const ruleSchema = z.strictObject({
  /** Requests allowed per `durationSeconds`. */
  points: z.number().int().positive(),
  durationSeconds: z.number().int().positive(),
  /** Once over the limit, refused for this long (0: until the window resets). */
  blockDurationSeconds: z.number().int().nonnegative(),
});
export type RateRule = z.infer<typeof ruleSchema>;

export const rateRulesSchema = z.strictObject({ ip: ruleSchema.optional(), user: ruleSchema.optional(), apiKey: ruleSchema.optional() });
export type RateRules = z.infer<typeof rateRulesSchema>;

/** Per IP 100 requests a minute, per user 60, per API key 600; a minute's block once exceeded. */
export const DEFAULT_RATE_RULES: RateRules = {
  ip: { points: 100, durationSeconds: 60, blockDurationSeconds: 60 },
  user: { points: 60, durationSeconds: 60, blockDurationSeconds: 60 },
  apiKey: { points: 600, durationSeconds: 60, blockDurationSeconds: 60 },
};

export interface RateLimitOptions {
  rules?: RateRules;
  /** Redis URL (default `REDIS_URL`); without it limits are per process, in memory. */
  redisUrl?: string;
  /** Key prefix in Redis, so several services can share one. */
  keyPrefix?: string;
}

export interface RateDecision {
  allowed: boolean;
  /** The dimension that refused, when refused. */
  dimension?: RateDimension;
  retryAfterSeconds?: number;
}

export interface RateStatus {
  dimension: RateDimension;
  key: string;
  limit: number;
  remainingPoints: number;
  /** When the window (or block) ends. */
  resetAt: Date;
}

/**
 * Rate limits per IP, per user and per API key on rate-limiter-flexible: in memory by default,
 * shared through Redis when `REDIS_URL` is set. `consume` takes a point in every dimension given.
 */
export class RateLimits {
  private readonly limiters = new Map<RateDimension, RateLimiterAbstract>();
  private readonly rules: RateRules;
  private readonly redis: Redis | undefined;

  constructor(options: RateLimitOptions = {}) {
    const parsed = rateRulesSchema.safeParse(options.rules ?? DEFAULT_RATE_RULES);
    if (!parsed.success) throw OptionsError.fromZod(parsed.error, ['rules']);
    this.rules = parsed.data;
    const url = options.redisUrl ?? process.env.REDIS_URL;
    // Fail fast rather than queue requests while Redis is down: the caller decides what then.
    this.redis = url ? new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
    this.redis?.on('error', () => undefined);
    for (const dimension of RATE_DIMENSIONS) {
      const rule = this.rules[dimension];
      if (!rule) continue;
      const common = { keyPrefix: `${options.keyPrefix ?? 'governor'}:${dimension}`, points: rule.points, duration: rule.durationSeconds, blockDuration: rule.blockDurationSeconds };
      // With Redis, an in-memory limiter stands in while Redis is unreachable (per process, not lost).
      this.limiters.set(dimension, this.redis ? new RateLimiterRedis({ ...common, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(common) }) : new RateLimiterMemory(common));
    }
  }

  /**
   * Resolves once Redis is connected (at once in memory). Until then — and whenever Redis is
   * unreachable — each process limits with its in-memory stand-in.
   */
  async ready(timeoutMilliseconds = 5_000): Promise<this> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return this;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis not ready within ${timeoutMilliseconds} ms`)), timeoutMilliseconds);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this;
  }

  get backend(): 'memory' | 'redis' {
    return this.redis ? 'redis' : 'memory';
  }

  /** Takes one point per given dimension; refused by the first that is exhausted. */
  async consume(keys: Partial<Record<RateDimension, string>>): Promise<RateDecision> {
    for (const dimension of RATE_DIMENSIONS) {
      const key = keys[dimension];
      const limiter = this.limiters.get(dimension);
      if (!key || !limiter) continue;
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, dimension, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        throw rejection;
      }
    }
    return { allowed: true };
  }

  /** Where a key stands in a dimension: points left and when the window resets. */
  async status(dimension: RateDimension, key: string): Promise<RateStatus | undefined> {
    const limiter = this.limiters.get(dimension);
    const rule = this.rules[dimension];
    if (!limiter || !rule) return undefined;
    const res = await limiter.get(key);
    return {
      dimension,
      key,
      limit: rule.points,
      remainingPoints: res ? Math.max(0, rule.points - res.consumedPoints) : rule.points,
      resetAt: new Date(Date.now() + (res?.msBeforeNext ?? 0)),
    };
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
