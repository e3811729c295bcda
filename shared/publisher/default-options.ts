import type { TopicKey } from '../topology/topology';

/** What `emit()` does when the buffer is full. Every drop is counted and reported. */
export const OVERFLOW_POLICIES = ['drop-newest', 'drop-oldest', 'throw'] as const;
export type OverflowPolicy = (typeof OVERFLOW_POLICIES)[number];

export interface BatchingOptions {
  /** Messages per publish request. */
  maxMessages?: number;
  /** Serialized bytes per publish request. */
  maxBytes?: number;
  /** Longest an accepted event waits before its batch is sent. */
  maxMilliseconds?: number;
}

export interface BufferOptions {
  /** Accepted-but-unacknowledged events held in memory (pending + in flight). */
  maxMessages?: number;
  /** Bytes of accepted-but-unacknowledged events held in memory. */
  maxBytes?: number;
  overflowPolicy?: OverflowPolicy;
}

export interface RetryOptions {
  /** Attempts per batch, the first included, before the batch is reported as failed. */
  maxAttempts?: number;
  initialBackoffMilliseconds?: number;
  maxBackoffMilliseconds?: number;
  backoffMultiplier?: number;
  /** Deadline of one publish request. */
  requestTimeoutMilliseconds?: number;
}

/**
 * Pub/Sub's limits on one Publish request: 1,000 messages and 10 MB (10,000,000 bytes, counted over
 * the whole request). A `batching.maxMessages` or `batching.maxBytes` above them is refused with
 * `OptionsError` when the publisher is created, not lowered to fit. `maxBytes` is compared with the
 * events' serialized JSON only: each message's four attributes and framing (up to ~230 bytes with a
 * 128-character source) come on top, so a `maxBytes` within ~230 KB of this limit can still build a
 * request the service refuses.
 */
export const PUBSUB_LIMITS = {
  maxMessagesPerRequest: 1000,
  maxBytesPerRequest: 10_000_000,
} as const;

export const DEFAULT_BATCHING: Required<BatchingOptions> = {
  // A hundred small events make a ~50 KB request: big enough to amortise the RPC.
  maxMessages: 100,
  maxBytes: 1_000_000,
  // Short enough that a throttle decision downstream sees spend within a fraction of a second.
  maxMilliseconds: 20,
};

export const DEFAULT_BUFFER: Required<BufferOptions> = {
  // ~10k events ≈ 5 MB: minutes of a busy agent's events through a Pub/Sub outage.
  maxMessages: 10_000,
  maxBytes: 16 * 1024 * 1024,
  // Refusing the newest keeps what was accepted first; the caller sees `accepted: false`.
  overflowPolicy: 'drop-newest',
};

export const DEFAULT_RETRY: Required<RetryOptions> = {
  // 100 ms doubling to 10 s over 8 attempts rides out ~30 s of Pub/Sub unavailability.
  maxAttempts: 8,
  initialBackoffMilliseconds: 100,
  maxBackoffMilliseconds: 10_000,
  backoffMultiplier: 2,
  requestTimeoutMilliseconds: 10_000,
};

export const DEFAULT_CLOSE_TIMEOUT_MILLISECONDS = 30_000;

/** Topic keys an event type is published to. */
export const TOPIC_BY_EVENT_TYPE = {
  cost: 'cost',
  metric: 'metric',
  security: 'security',
} as const satisfies Record<string, TopicKey>;

export interface MetricsOptions {
  /** How often aggregated metrics leave the agent: one event per series per interval. */
  flushIntervalMilliseconds?: number;
  /** Distinct series (metric + labels) kept between flushes; samples of further series are refused. */
  maxSeries?: number;
}

export const DEFAULT_METRICS: Required<MetricsOptions> = {
  // Ten seconds: alerting sees a breach within seconds, and a busy agent's thousand samples
  // become one message per series.
  flushIntervalMilliseconds: 10_000,
  // Label values are expected to be bounded (operation, model); a thousand catches a runaway.
  maxSeries: 1000,
};
