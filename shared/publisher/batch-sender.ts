import type { RetryOptions } from './default-options';
import type { FlowControl } from './flow-control';
import type { MessageBatch } from './message-batch';
import { toOutboundMessage, type PendingEvent } from './pending-event';
import { isTransient, PublishError } from './publish-error';
import type { PublisherCounters } from './publisher-counters';
import { callSafely } from './reporters';
import type { PublishTransport } from './transport';

export interface BatchSenderParts {
  transport: PublishTransport;
  retry: Required<RetryOptions>;
  counters: PublisherCounters;
  /** Takes back each batch's buffer space once it is published or given up on. */
  flow: Pick<FlowControl, 'release'>;
  onError: (error: PublishError) => void;
}

/**
 * Publishes batches to the transport with exponential backoff and full jitter, counts the
 * outcome of each (`published`, `retries`, `failed`), and knows which are still in flight.
 */
export class BatchSender {
  private readonly inFlight = new Set<Promise<void>>();
  /** Set by abandon(): retries stop and whatever is left is reported failed. */
  private abandoned = false;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly parts: BatchSenderParts) {}

  /** Starts publishing one batch; `settled()` waits for it. */
  send(topic: string, batch: MessageBatch<PendingEvent>): void {
    const sending = this.publish(topic, batch).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /** Resolves when every batch sent so far (and any sent meanwhile) is published or reported failed. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** For a timed-out close(): no more retries, and backoff pauses end now. */
  abandon(): void {
    this.abandoned = true;
    for (const wake of this.sleepers) wake();
  }

  /** One batch, retried while the error is transient; never rejects. */
  private async publish(topic: string, batch: MessageBatch<PendingEvent>): Promise<void> {
    const { transport, retry, counters, flow, onError } = this.parts;
    const messages = batch.items.map(toOutboundMessage);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await transport.publish(topic, messages, retry.requestTimeoutMilliseconds);
          counters.published += messages.length;
          break;
        } catch (error) {
          if (attempt < retry.maxAttempts && isTransient(error) && !this.abandoned) {
            counters.retries += 1;
            const ceiling = Math.min(retry.maxBackoffMilliseconds, retry.initialBackoffMilliseconds * retry.backoffMultiplier ** (attempt - 1));
            await this.sleep(Math.random() * ceiling);
            continue;
          }
          counters.failed += messages.length;
          callSafely(() => onError(new PublishError(topic, messages.map((m) => m.eventId), attempt, error)));
          break;
        }
      }
    } finally {
      // Whatever happened (even a throwing callback), the buffer space is given back.
      flow.release(messages.length, batch.byteLength);
    }
  }

  /** A backoff pause that abandon() can cut short. */
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
}
