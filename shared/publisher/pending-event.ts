import { SCHEMA_VERSION } from '../contracts/envelope';
import type { EventType } from '../contracts/vocabulary';
import type { OutboundMessage } from './message-batch';

/** An accepted event: serialized to a string now, to bytes and attributes only when its batch leaves. */
export interface PendingEvent {
  eventId: string;
  type: EventType;
  source: string;
  json: string;
  /** UTF-8 length of `json`: what the buffer and a batch count. */
  bytes: number;
  /** Arrival order across all queues; drop-oldest evicts the lowest. */
  seq: number;
}

/** The wire form, built as the batch leaves so `emit()` does not pay for it. */
export function toOutboundMessage(event: PendingEvent): OutboundMessage {
  return {
    eventId: event.eventId,
    data: Buffer.from(event.json),
    attributes: { eventType: event.type, eventId: event.eventId, source: event.source, schemaVersion: String(SCHEMA_VERSION) },
  };
}
