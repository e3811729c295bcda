import type { Attribution } from '../contracts/attribution';
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
import { BatchSender } from './batch-sender';
import { FlowControl } from './flow-control';
import { MessageQueues } from './message-queues';
import { BufferFullError, PublisherClosedError, type PublishError } from './publish-error';
import { zeroCounters, type PublisherCounters } from './publisher-counters';
import { resolvePublisherOptions, type PublisherOptions, type ResolvedPublisherOptions } from './publisher-options';
import { callSafely, createDropReporter, reportPublishError, reportPublisherFault } from './reporters';
import { PubSubTransport, type PublishTransport } from './transport';

/** What `emit()` hands to the caller: the event id, and whether the buffer took the event. */
export interface EmitReceipt {
  eventId: string;
  accepted: boolean;
}

/** Counters since the publisher started; `accepted = published + failed + dropped(oldest) + buffered`. */
export interface PublisherStats extends PublisherCounters {
  /** Accepted events not yet acknowledged by Pub/Sub (pending + in flight). */
  buffered: number;
}

/** An event as `emit()` accepts it: envelope fields other than `type` and `payload` are optional. */
export type EmitInput = Pick<GovernorEventInput, 'type' | 'payload'> &
  Partial<Pick<GovernorEvent, 'eventId' | 'occurredAt' | 'source'>>;

/**
 * The agent-side publisher: `emit()` validates and serializes synchronously, then returns; batches
 * leave on size or time, with retries on transient errors. Nothing accepted is lost silently: it
 * is published, or counted and reported as dropped or failed.
 *
 * This class is the facade: events go through FlowControl (buffer room, overflow policy) into
 * MessageQueues (per-topic queues and their timers), whose batches BatchSender publishes.
 */
export class GovernorPublisher {
  private readonly options: ResolvedPublisherOptions;
  private readonly transport: PublishTransport;
  private readonly onDrop: ReturnType<typeof createDropReporter>;
  private readonly counters: PublisherCounters = zeroCounters();
  private readonly queues: MessageQueues;
  private readonly flow: FlowControl;
  private readonly sender: BatchSender;
  private closing: Promise<PublisherStats> | undefined;
  private readonly metrics: MetricAccumulator;
  private metricsTimer: NodeJS.Timeout | undefined;
  private removeExitHook: (() => void) | undefined;

  constructor(options: PublisherOptions = {}) {
    this.options = resolvePublisherOptions(options);
    this.transport =
      options.transport ?? new PubSubTransport({ projectId: this.options.projectId, emulatorHost: this.options.emulatorHost });
    const onError: (error: PublishError) => void = options.onError ?? reportPublishError;
    this.onDrop = options.onDrop ?? createDropReporter();
    const topics = this.options.topics;
    // The queues' dispatch names the sender built below: it first runs when a batch leaves, after construction.
    this.queues = new MessageQueues(this.options.batching, (type, batch) => this.sender.send(topics[TOPIC_BY_EVENT_TYPE[type]], batch));
    this.flow = new FlowControl(this.options.buffer, this.queues, this.counters, this.onDrop);
    this.sender = new BatchSender({ transport: this.transport, retry: this.options.retry, counters: this.counters, flow: this.flow, onError });
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
      // The publisher's attribution, unless the event names its own.
      payload: input.type === 'cost' && this.options.attribution && (input.payload as { attribution?: unknown } | undefined)?.attribution === undefined ? { ...(input.payload as object), attribution: this.options.attribution } : input.payload,
    };
    // A known type goes straight to its schema; anything else gets the full check and its error.
    const event: GovernorEvent = isEventType(input.type) ? parseEventOfType(candidate, input.type) : parseEvent(candidate);
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventValidationError([{ path: '(root)', message: `event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}` }]);
    }
    if (!this.flow.admit(event.eventId, bytes)) return { eventId: event.eventId, accepted: false };
    this.queues.add(event, json, bytes);
    this.counters.accepted += 1;
    return { eventId: event.eventId, accepted: true };
  }

  /** The agent this publisher speaks for: `source` and `attribution` (what a ThrottleReader follows). */
  identity(): { source: string; attribution?: Attribution } {
    return { source: this.options.source, ...(this.options.attribution ? { attribution: this.options.attribution } : {}) };
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
    callSafely(() => this.onDrop({ reason: 'series-limit', series: seriesKeyOf(input.metric, labels), samples: 1, droppedTotal: this.counters.dropped }));
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
    this.queues.drainAll();
    await this.sender.settled();
    return this.stats();
  }

  /** Stops accepting events, flushes (up to the close timeout) and releases the transport. Safe twice. */
  close(): Promise<PublisherStats> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): PublisherStats {
    return { ...this.counters, buffered: this.flow.messages };
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
      this.sender.abandon();
      await this.transport.close();
      await this.sender.settled();
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
}

function isEventType(value: unknown): value is EventType {
  return value === 'cost' || value === 'metric' || value === 'security';
}

/** Creates a publisher; see `PublisherOptions` for defaults. */
export function createPublisher(options: PublisherOptions = {}): GovernorPublisher {
  return new GovernorPublisher(options);
}
