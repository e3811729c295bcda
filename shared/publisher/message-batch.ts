/** One serialized event as the transport sends it. */
export interface OutboundMessage {
  eventId: string;
  data: Buffer;
  attributes: Record<string, string>;
}

/** Anything with a serialized size in bytes. */
export interface Sized {
  bytes: number;
}

/** A publish request being filled: knows whether another message fits. */
export class MessageBatch<T extends Sized> {
  readonly items: T[] = [];
  private bytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  /** True when the item fits; an empty batch always takes one, however large. */
  canFit(item: T): boolean {
    if (this.items.length === 0) return true;
    return this.items.length < this.maxMessages && this.bytes + item.bytes <= this.maxBytes;
  }

  add(item: T): void {
    this.items.push(item);
    this.bytes += item.bytes;
  }

  get byteLength(): number {
    return this.bytes;
  }
}
