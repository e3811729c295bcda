import { newEventId } from '../contracts/event-id';
import { MAX_EVENT_BYTES, SCHEMA_VERSION } from '../contracts/envelope';
import { parseEvent, parseEventOfType, type GovernorEvent, type GovernorEventInput } from '../contracts/event';
import { EventValidationError } from '../contracts/validation-error';
import type { EventType } from '../contracts/vocabulary';
import { TOPIC_BY_EVENT_TYPE } from './default-options';
import { MetricAccumulator } from '../metrics/metric-accumulator';
import { seriesKeyOf } from '../metrics/series';
import { measureOperation, timeOperation, type Measurement } from '../metrics/measure';
import { startSystemSampler, type SystemSampler, type SystemSamplerOptions } from '../metrics/system-sampler';
import {
  aiUsagePayload,
  costPayload,
  validateMetricSample,
  type AiUsageInput,
  type CostInput,
  type MetricSampleInput,
  type SecurityEventInput,
} from './event-builders';
import { installExitHook } from './exit-hook';
import { MessageBatch, type OutboundMessage } from './message-batch';
import { BufferFullError, isTransient, PublishError, PublisherClosedError } from './publish-error';
import { resolvePublisherOptions, type PublisherOptions, type ResolvedPublisherOptions } from './publisher-options';
import { createDropReporter, reportPublishError, reportPublisherFault } from './reporters';
import { PubSubTransport, type PublishTransport } from './transport';

/** What `emit()` hands to the caller: the event id, and whether the buffer took the event. */
export interface EmitReceipt {
  eventId: string;
  accepted: boolean;
}

/** Counters since the publisher started; `accepted = published + failed + dropped(oldest) + buffered`. */
export interface PublisherStats {
  accepted: number;
  published: number;
  /** Events refused (drop-newest, throw) or evicted (drop-oldest) by a full buffer. */
  dropped: number;
  /** Events whose batch exhausted its retries or was still unsent when `close()` timed out. */
  failed: number;
  /** Publish attempts that failed transiently and were retried. */
  retries: number;
  /** Accepted events not yet acknowledged by Pub/Sub (pending + in flight). */
  buffered: number;
}

/** An event as `emit()` accepts it: envelope fields other than `type` and `payload` are optional. */
export type EmitInput = Pick<GovernorEventInput, 'type' | 'payload'> &
  Partial<Pick<GovernorEvent, 'eventId' | 'occurredAt' | 'source'>>;

/** An accepted event: serialized to a string now, to bytes and attributes only when its batch leaves. */
interface Pending {
  eventId: string;
  type: EventType;
  source: string;
  json: string;
  bytes: number;
  seq: number;
}

function toOutbound(p: Pending): OutboundMessage {
  return {
    eventId: p.eventId,
    data: Buffer.from(p.json),
    attributes: { eventType: p.type, eventId: p.eventId, source: p.source, schemaVersion: String(SCHEMA_VERSION) },
  };
}

/**
 * The agent-side publisher: `emit()` validates and serializes synchronously, then returns; batches
 * leave on size or time, with retries on transient errors. Nothing accepted is lost silently: it
 * is published, or counted and reported as dropped or failed.
 */
export class GovernorPublisher {
  private readonly options: ResolvedPublisherOptions;
  private readonly transport: PublishTransport;
  private readonly onError: (error: PublishError) => void;
  private readonly onDrop: ReturnType<typeof createDropReporter>;
  private readonly pending = new Map<EventType, Pending[]>();
  private readonly timers = new Map<EventType, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counters = { accepted: 0, published: 0, dropped: 0, failed: 0, retries: 0 };
  private bufferedMessages = 0;
  private bufferedBytes = 0;
  private seq = 0;
  private closing: Promise<PublisherStats> | undefined;
  /** Set when close() times out: retries stop and whatever is left is reported failed. */
  private abandoned = false;
  private readonly sleepers = new Set<() => void>();
  private readonly metrics: MetricAccumulator;
  private metricsTimer: NodeJS.Timeout | undefined;
  private removeExitHook: (() => void) | undefined;

  constructor(options: PublisherOptions = {}) {
    this.options = resolvePublisherOptions(options);
    this.transport =
      options.transport ?? new PubSubTransport({ projectId: this.options.projectId, emulatorHost: this.options.emulatorHost });
    this.onError = options.onError ?? reportPublishError;
    this.onDrop = options.onDrop ?? createDropReporter();
    this.metrics = new MetricAccumulator(this.options.metrics.maxSeries);
    if (this.options.exitHook) this.removeExitHook = installExitHook(() => this.flush(), () => this.close());
  }

  /** Validates, serializes and buffers one event; never awaits the network. Throws on invalid input. */
  emit(input: EmitInput): EmitReceipt {
    if (this.closing) throw new PublisherClosedError();
    return this.accept(input);
  }

  private accept(input: EmitInput): EmitReceipt {
    const candidate = {
      eventId: input.eventId ?? newEventId(),
      schemaVersion: SCHEMA_VERSION,
      type: input.type,
      source: input.source ?? this.options.source,
      occurredAt: input.occurredAt ?? new Date().toISOString(),
      payload: input.payload,
    };
    // A known type goes straight to its schema; anything else gets the full check and its error.
    const event: GovernorEvent = isEventType(input.type) ? parseEventOfType(candidate, input.type) : parseEvent(candidate);
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventValidationError([{ path: '(root)', message: `event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}` }]);
    }
    if (!this.makeRoom(bytes)) {
      this.reportDrops('drop-newest', [event.eventId]);
      return { eventId: event.eventId, accepted: false };
    }
    this.enqueue(event.type, { eventId: event.eventId, type: event.type, source: event.source, json, bytes, seq: this.seq++ });
    return { eventId: event.eventId, accepted: true };
  }

  /** Records a spend already known in money (`amountMicros`, or `usd` converted at the edge). */
  recordCost(input: CostInput): EmitReceipt {
    return this.emit({ type: 'cost', payload: costPayload(input) });
  }

  /** Records a model call's usage, priced server-side against the price table. */
  recordAiUsage(input: AiUsageInput): EmitReceipt {
    return this.emit({ type: 'cost', payload: aiUsagePayload(input) });
  }

  /**
   * Records one metric sample into this interval's aggregate for its series (count, sum, min, max,
   * last and a DDSketch); every `metrics.flushIntervalMilliseconds` each series leaves as one
   * event. Returns false when the series limit refused a new series (counted as a drop).
   */
  recordMetric(input: MetricSampleInput): boolean {
    if (this.closing) throw new PublisherClosedError();
    validateMetricSample(input, new Date());
    const labels = input.labels ?? {};
    if (this.metrics.record(input.metric, input.value, labels)) {
      this.metricsTimer ??= this.startMetricsTimer();
      return true;
    }
    this.counters.dropped += 1;
    this.report(() => this.onDrop({ reason: 'series-limit', series: seriesKeyOf(input.metric, labels), samples: 1, droppedTotal: this.counters.dropped }));
    return false;
  }

  /** Starts timing an operation; `end()` or `fail()` records LATENCY (ms), API_CALLS and ERROR_RATE. */
  measure(operation: string, labels: Record<string, string> = {}): Measurement {
    return measureOperation(this, operation, labels);
  }

  /** Runs `fn` (sync or async) inside `measure()`; failures are recorded and rethrown. */
  timed<T>(operation: string, fn: () => T, labels: Record<string, string> = {}): T {
    return timeOperation(this, operation, fn, labels);
  }

  /** Records a cache lookup as a CACHE_HIT_RATE sample of 100 (hit) or 0 (miss): the mean is the hit rate. */
  recordCacheLookup(hit: boolean, labels: Record<string, string> = {}): boolean {
    return this.recordMetric({ metric: 'CACHE_HIT_RATE', value: hit ? 100 : 0, labels });
  }

  /** Samples CPU % and memory % (process and host) until `stop()`; labelled with this agent's id. */
  startSystemSampler(options: SystemSamplerOptions = {}): SystemSampler {
    return startSystemSampler(this, { ...options, labels: { agent: this.options.source, ...options.labels } });
  }

  /** Sends this interval's metric aggregates now, one event per series. */
  flushMetrics(): void {
    const { payloads } = this.metrics.drain();
    for (const payload of payloads) this.emit({ type: 'metric', payload });
  }

  recordSecurityEvent(input: SecurityEventInput): EmitReceipt {
    return this.emit({ type: 'security', payload: input });
  }

  /** Sends everything buffered now and resolves when each batch is published or reported failed. */
  async flush(): Promise<PublisherStats> {
    if (!this.closing) this.flushMetrics();
    for (const type of this.pending.keys()) this.drain(type);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return this.stats();
  }

  /** Stops accepting events, flushes (up to the close timeout) and releases the transport. Safe twice. */
  close(): Promise<PublisherStats> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): PublisherStats {
    return { ...this.counters, buffered: this.bufferedMessages };
  }

  private async shutdown(): Promise<PublisherStats> {
    this.removeExitHook?.();
    clearInterval(this.metricsTimer);
    // The last interval's aggregates are accepted before the publisher stops accepting.
    const { payloads } = this.metrics.drain();
    for (const payload of payloads) this.enqueueAccepted({ type: 'metric', payload });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.closeTimeoutMilliseconds);
    });
    const outcome = await Promise.race([this.flush(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      // Stop retrying; closing the transport cancels requests in flight, which then count as failed.
      this.abandoned = true;
      for (const wake of this.sleepers) wake();
      await this.transport.close();
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    } else {
      await this.transport.close();
    }
    return this.stats();
  }

  private startMetricsTimer(): NodeJS.Timeout {
    const timer = setInterval(() => {
      try {
        this.flushMetrics();
      } catch (error) {
        // A full buffer with the `throw` policy: the drop is already counted. Anything else is
        // logged: a timer that throws would crash the agent that only wanted to record metrics.
        if (!(error instanceof BufferFullError)) reportPublisherFault('metrics flush failed', error);
      }
    }, this.options.metrics.flushIntervalMilliseconds);
    timer.unref();
    return timer;
  }

  /** emit() for events that belong to the time before close() (the final metric interval). */
  private enqueueAccepted(input: EmitInput): void {
    try {
      this.accept(input);
    } catch (error) {
      if (!(error instanceof BufferFullError)) throw error;
    }
  }

  /** Applies the overflow policy; false when the new event must be refused. */
  private makeRoom(bytes: number): boolean {
    const { maxMessages, maxBytes, overflowPolicy } = this.options.buffer;
    const fits = (): boolean => this.bufferedMessages + 1 <= maxMessages && this.bufferedBytes + bytes <= maxBytes;
    if (fits()) return true;
    if (overflowPolicy === 'throw') {
      this.counters.dropped += 1;
      throw new BufferFullError(`${this.bufferedMessages} events, ${this.bufferedBytes} bytes`);
    }
    if (overflowPolicy === 'drop-oldest') {
      // In-flight events cannot be evicted: when even every pending one would not make room,
      // refuse the new event instead of losing old and new alike.
      let pendingCount = 0;
      let pendingBytes = 0;
      for (const queue of this.pending.values()) {
        pendingCount += queue.length;
        for (const m of queue) pendingBytes += m.bytes;
      }
      if (this.bufferedMessages - pendingCount + 1 > maxMessages || this.bufferedBytes - pendingBytes + bytes > maxBytes) return false;
      const evicted: string[] = [];
      while (!fits()) {
        const oldest = this.evictOldestPending();
        if (!oldest) break;
        evicted.push(oldest.eventId);
      }
      if (evicted.length > 0) this.reportDrops('drop-oldest', evicted);
      return fits();
    }
    return false;
  }

  private evictOldestPending(): Pending | undefined {
    let oldestQueue: Pending[] | undefined;
    for (const queue of this.pending.values()) {
      const head = queue[0];
      if (head && (!oldestQueue || head.seq < (oldestQueue[0] as Pending).seq)) oldestQueue = queue;
    }
    const oldest = oldestQueue?.shift();
    if (oldest) this.release(1, oldest.bytes);
    return oldest;
  }

  private reportDrops(policy: 'drop-newest' | 'drop-oldest', eventIds: string[]): void {
    this.counters.dropped += eventIds.length;
    this.report(() => this.onDrop({ reason: 'buffer-full', policy, eventIds, droppedTotal: this.counters.dropped }));
  }

  private enqueue(type: EventType, message: Pending): void {
    let queue = this.pending.get(type);
    if (!queue) this.pending.set(type, (queue = []));
    queue.push(message);
    this.counters.accepted += 1;
    this.bufferedMessages += 1;
    this.bufferedBytes += message.bytes;
    const { maxMessages, maxMilliseconds } = this.options.batching;
    if (queue.length >= maxMessages) {
      // Off the hot path: the caller's emit() returns before the batch is built.
      setImmediate(() => this.drain(type));
    } else if (!this.timers.has(type)) {
      // Unref'd so an idle agent can exit; the exit hook flushes what the timer would have sent.
      const timer = setTimeout(() => this.drain(type), maxMilliseconds);
      timer.unref();
      this.timers.set(type, timer);
    }
  }

  private drain(type: EventType): void {
    clearTimeout(this.timers.get(type));
    this.timers.delete(type);
    const queue = this.pending.get(type);
    const { maxMessages, maxBytes } = this.options.batching;
    while (queue && queue.length > 0) {
      const batch = new MessageBatch<Pending>(maxMessages, maxBytes);
      while (queue.length > 0 && batch.canFit(queue[0] as Pending)) batch.add(queue.shift() as Pending);
      const sending = this.send(this.options.topics[TOPIC_BY_EVENT_TYPE[type]], batch).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  /** Publishes one batch with exponential backoff and full jitter; never rejects. */
  private async send(topic: string, batch: MessageBatch<Pending>): Promise<void> {
    const retry = this.options.retry;
    const messages = batch.items.map(toOutbound);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.transport.publish(topic, messages, retry.requestTimeoutMilliseconds);
          this.counters.published += messages.length;
          break;
        } catch (error) {
          if (attempt < retry.maxAttempts && isTransient(error) && !this.abandoned) {
            this.counters.retries += 1;
            const ceiling = Math.min(retry.maxBackoffMilliseconds, retry.initialBackoffMilliseconds * retry.backoffMultiplier ** (attempt - 1));
            await this.sleep(Math.random() * ceiling);
            continue;
          }
          this.counters.failed += messages.length;
          this.report(() => this.onError(new PublishError(topic, messages.map((m) => m.eventId), attempt, error)));
          break;
        }
      }
    } finally {
      // Whatever happened (even a throwing callback), the buffer space is given back.
      this.release(messages.length, batch.byteLength);
    }
  }

  /** Runs a user callback; one that throws must not break the publisher's bookkeeping. */
  private report(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      reportPublisherFault('publisher callback threw', error);
    }
  }

  /** A backoff pause that close() can cut short. */
  private sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, milliseconds);
      this.sleepers.add(wake);
    });
  }

  private release(messages: number, bytes: number): void {
    this.bufferedMessages -= messages;
    this.bufferedBytes -= bytes;
  }
}

function isEventType(value: unknown): value is EventType {
  return value === 'cost' || value === 'metric' || value === 'security';
}

/** Creates a publisher; see `PublisherOptions` for defaults. */
export function createPublisher(options: PublisherOptions = {}): GovernorPublisher {
  return new GovernorPublisher(options);
}
