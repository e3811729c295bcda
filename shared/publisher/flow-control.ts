import type { BufferOptions } from './default-options';
import type { MessageQueues } from './message-queues';
import { BufferFullError, type DropReport } from './publish-error';
import type { PublisherCounters } from './publisher-counters';
import { callSafely } from './reporters';

/**
 * The bounded buffer: counts accepted-but-unacknowledged events (pending and in flight) against
 * `buffer.maxMessages` and `buffer.maxBytes`, applies the overflow policy when a new event does
 * not fit, and takes space back as batches finish.
 */
export class FlowControl {
  private bufferedMessages = 0;
  private bufferedBytes = 0;

  constructor(
    private readonly limits: Required<BufferOptions>,
    private readonly queues: Pick<MessageQueues, 'pendingTotals' | 'evictOldest'>,
    private readonly counters: PublisherCounters,
    private readonly onDrop: (report: DropReport) => void,
  ) {}

  /** Accepted events not yet acknowledged by Pub/Sub. */
  get messages(): number {
    return this.bufferedMessages;
  }

  /**
   * Makes room for one event of `bytes` and holds it; false (the event reported as dropped) when
   * it must be refused. Throws `BufferFullError` under the `throw` policy.
   */
  admit(eventId: string, bytes: number): boolean {
    if (!this.makeRoom(bytes)) {
      this.reportDrops('drop-newest', [eventId]);
      return false;
    }
    this.bufferedMessages += 1;
    this.bufferedBytes += bytes;
    return true;
  }

  /** Gives back the space of events that were published, failed or evicted. */
  release(messages: number, bytes: number): void {
    this.bufferedMessages -= messages;
    this.bufferedBytes -= bytes;
  }

  private fits(bytes: number): boolean {
    return this.bufferedMessages + 1 <= this.limits.maxMessages && this.bufferedBytes + bytes <= this.limits.maxBytes;
  }

  /** Applies the overflow policy; false when the new event must be refused. */
  private makeRoom(bytes: number): boolean {
    if (this.fits(bytes)) return true;
    const { maxMessages, maxBytes, overflowPolicy } = this.limits;
    if (overflowPolicy === 'throw') {
      this.counters.dropped += 1;
      throw new BufferFullError(`${this.bufferedMessages} events, ${this.bufferedBytes} bytes`);
    }
    if (overflowPolicy === 'drop-oldest') {
      // In-flight events cannot be evicted: when even every pending one would not make room,
      // refuse the new event instead of losing old and new alike.
      const pending = this.queues.pendingTotals();
      if (this.bufferedMessages - pending.messages + 1 > maxMessages || this.bufferedBytes - pending.bytes + bytes > maxBytes) return false;
      const evicted: string[] = [];
      while (!this.fits(bytes)) {
        const oldest = this.queues.evictOldest();
        if (!oldest) break;
        this.release(1, oldest.bytes);
        evicted.push(oldest.eventId);
      }
      if (evicted.length > 0) this.reportDrops('drop-oldest', evicted);
      return this.fits(bytes);
    }
    return false;
  }

  private reportDrops(policy: 'drop-newest' | 'drop-oldest', eventIds: string[]): void {
    this.counters.dropped += eventIds.length;
    callSafely(() => this.onDrop({ reason: 'buffer-full', policy, eventIds, droppedTotal: this.counters.dropped }));
  }
}
