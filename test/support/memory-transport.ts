import type { OutboundMessage } from '../../shared/publisher/message-batch';
import type { PublishTransport } from '../../shared/publisher/transport';

/**
 * An in-memory implementation of the publisher's transport port, for the batching core's unit
 * tests. (Google clients are never mocked: the Pub/Sub paths run against the emulator.)
 */
export class MemoryTransport implements PublishTransport {
  readonly requests: { topic: string; eventIds: string[]; bytes: number; events: unknown[] }[] = [];
  /** Errors thrown by the next calls, in order (e.g. `{ code: 14 }` for UNAVAILABLE). */
  readonly failures: unknown[] = [];
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  closed = false;

  /** Holds every publish until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async publish(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
    if (this.gate) await this.gate;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.requests.push({
      topic,
      eventIds: messages.map((m) => m.eventId),
      bytes: messages.reduce((n, m) => n + m.data.length, 0),
      events: messages.map((m) => JSON.parse(m.data.toString('utf8')) as unknown),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  publishedIds(): string[] {
    return this.requests.flatMap((r) => r.eventIds);
  }
}
