import type { GovernorEvent } from '../contracts/event';
import type { EventType } from '../contracts/vocabulary';
import type { BatchingOptions } from './default-options';
import { MessageBatch } from './message-batch';
import type { PendingEvent } from './pending-event';

/** Where a cut batch goes: the batch sender, with the event type's topic. */
export type BatchDispatch = (type: EventType, batch: MessageBatch<PendingEvent>) => void;

/**
 * One queue per event type (hence per topic), and the timers that empty them: a queue leaves as
 * batches when it reaches `batching.maxMessages`, or `batching.maxMilliseconds` after its first
 * event, whichever comes first.
 */
export class MessageQueues {
  private readonly pending = new Map<EventType, PendingEvent[]>();
  private readonly timers = new Map<EventType, NodeJS.Timeout>();
  private seq = 0;

  constructor(
    private readonly batching: Required<BatchingOptions>,
    private readonly dispatch: BatchDispatch,
  ) {}

  /** Queues an event the buffer has room for (see FlowControl.admit) and schedules its batch. */
  add(event: GovernorEvent, json: string, bytes: number): void {
    const type = event.type;
    let queue = this.pending.get(type);
    if (!queue) this.pending.set(type, (queue = []));
    queue.push({ eventId: event.eventId, type, source: event.source, json, bytes, seq: this.seq++ });
    if (queue.length >= this.batching.maxMessages) {
      // Off the hot path: the caller's emit() returns before the batch is built.
      setImmediate(() => this.drain(type));
    } else if (!this.timers.has(type)) {
      // Unref'd so an idle agent can exit; the exit hook flushes what the timer would have sent.
      const timer = setTimeout(() => this.drain(type), this.batching.maxMilliseconds);
      timer.unref();
      this.timers.set(type, timer);
    }
  }

  /** Cuts every queue into batches and dispatches them now. */
  drainAll(): void {
    for (const type of this.pending.keys()) this.drain(type);
  }

  /** Events and bytes still waiting (not yet cut into a batch). */
  pendingTotals(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const queue of this.pending.values()) {
      messages += queue.length;
      for (const event of queue) bytes += event.bytes;
    }
    return { messages, bytes };
  }

  /** Removes and returns the oldest waiting event across all queues; in-flight events are out of reach. */
  evictOldest(): PendingEvent | undefined {
    let oldestQueue: PendingEvent[] | undefined;
    for (const queue of this.pending.values()) {
      const head = queue[0];
      if (head && (!oldestQueue || head.seq < (oldestQueue[0] as PendingEvent).seq)) oldestQueue = queue;
    }
    return oldestQueue?.shift();
  }

  private drain(type: EventType): void {
    clearTimeout(this.timers.get(type));
    this.timers.delete(type);
    const queue = this.pending.get(type);
    const { maxMessages, maxBytes } = this.batching;
    while (queue && queue.length > 0) {
      const batch = new MessageBatch<PendingEvent>(maxMessages, maxBytes);
      while (queue.length > 0 && batch.canFit(queue[0] as PendingEvent)) batch.add(queue.shift() as PendingEvent);
      this.dispatch(type, batch);
    }
  }
}
