import { hostname } from 'node:os';
import { z } from 'zod';
import { projectIdOf } from '../basics/project-id';
import { agentIdSchema } from '../contracts/envelope';
import { attributionSchema, type Attribution } from '../contracts/attribution';
import { OptionsError } from '../contracts/validation-error';
import { loadTopology, type TopicKey } from '../topology/topology';
import {
  DEFAULT_BATCHING,
  DEFAULT_BUFFER,
  DEFAULT_CLOSE_TIMEOUT_MILLISECONDS,
  DEFAULT_METRICS,
  DEFAULT_RETRY,
  OVERFLOW_POLICIES,
  PUBSUB_LIMITS,
  type BatchingOptions,
  type BufferOptions,
  type MetricsOptions,
  type RetryOptions,
} from './default-options';
import type { DropReport, PublishError } from './publish-error';
import type { PublishTransport } from './transport';

export interface PublisherOptions {
  /** Google Cloud project; default `GOOGLE_CLOUD_PROJECT` or `GCLOUD_PROJECT`. */
  projectId?: string;
  /** This agent's id, the `source` of its events; default `GOVERNOR_AGENT_ID` or `<hostname>/<pid>`. */
  source?: string;
  /** Team, tenant and tags of every cost event (an event's own `attribution` replaces it). */
  attribution?: Attribution;
  /** `host:port` of a Pub/Sub emulator; default `PUBSUB_EMULATOR_HOST`. */
  emulatorHost?: string;
  /** Topic names; default from the topology (and its env overrides). */
  topics?: Partial<Record<TopicKey, string>>;
  batching?: BatchingOptions;
  buffer?: BufferOptions;
  retry?: RetryOptions;
  metrics?: MetricsOptions;
  /** Longest `close()` waits for outstanding batches before reporting them failed. */
  closeTimeoutMilliseconds?: number;
  /** Flush on `beforeExit` and close on SIGINT/SIGTERM. Default true. */
  exitHook?: boolean;
  /** Called for each batch given up on; default logs an ERROR line. */
  onError?: (error: PublishError) => void;
  /** Called for events refused by a full buffer; default logs a WARNING line at most once a second. */
  onDrop?: (report: DropReport) => void;
  /** Replaces the Pub/Sub transport (used by tests of the batching core). */
  transport?: PublishTransport;
}

const positiveInt = z.number().int().positive();
const optionsSchema = z.object({
  projectId: z.string().min(1, 'set projectId or GOOGLE_CLOUD_PROJECT'),
  source: agentIdSchema,
  attribution: attributionSchema.optional(),
  batching: z.strictObject({
    maxMessages: positiveInt.max(PUBSUB_LIMITS.maxMessagesPerRequest),
    maxBytes: positiveInt.max(PUBSUB_LIMITS.maxBytesPerRequest),
    maxMilliseconds: z.number().int().nonnegative().max(60_000),
  }),
  buffer: z.strictObject({
    maxMessages: positiveInt,
    maxBytes: positiveInt,
    overflowPolicy: z.enum(OVERFLOW_POLICIES),
  }),
  retry: z.strictObject({
    maxAttempts: positiveInt.max(100),
    initialBackoffMilliseconds: z.number().int().nonnegative(),
    maxBackoffMilliseconds: z.number().int().nonnegative(),
    backoffMultiplier: z.number().min(1),
    requestTimeoutMilliseconds: positiveInt,
  }),
  closeTimeoutMilliseconds: positiveInt,
  metrics: z.strictObject({
    flushIntervalMilliseconds: positiveInt.min(1000),
    maxSeries: positiveInt,
  }),
});

export type ResolvedPublisherOptions = z.infer<typeof optionsSchema> & {
  topics: Record<TopicKey, string>;
  emulatorHost: string | undefined;
  exitHook: boolean;
};

/** Applies defaults and validates; throws `OptionsError` naming the bad option. */
export function resolvePublisherOptions(options: PublisherOptions, env: NodeJS.ProcessEnv = process.env): ResolvedPublisherOptions {
  const candidate = {
    projectId: options.projectId ?? projectIdOf(env) ?? '',
    source: options.source ?? env.GOVERNOR_AGENT_ID ?? `${hostname()}/${process.pid}`,
    attribution: options.attribution,
    batching: { ...DEFAULT_BATCHING, ...options.batching },
    buffer: { ...DEFAULT_BUFFER, ...options.buffer },
    retry: { ...DEFAULT_RETRY, ...options.retry },
    closeTimeoutMilliseconds: options.closeTimeoutMilliseconds ?? DEFAULT_CLOSE_TIMEOUT_MILLISECONDS,
    metrics: { ...DEFAULT_METRICS, ...options.metrics },
  };
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return {
    ...parsed.data,
    topics: { ...loadTopology(env).topics, ...options.topics },
    emulatorHost: options.emulatorHost ?? env.PUBSUB_EMULATOR_HOST,
    exitHook: options.exitHook ?? true,
  };
}
