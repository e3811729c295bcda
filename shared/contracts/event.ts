import { z } from 'zod';
import { costEventSchema, type CostEvent } from './cost-event';
import { MAX_EVENT_BYTES, envelopeSchema } from './envelope';
import { metricEventSchema, type MetricEvent } from './metric-event';
import { securityEventSchema, type SecurityEvent } from './security-event';
import { EventValidationError } from './validation-error';
import type { EventType } from './vocabulary';

export const eventSchema = z.discriminatedUnion('type', [costEventSchema, metricEventSchema, securityEventSchema]);
export type GovernorEvent = z.infer<typeof eventSchema>;

/** Input shape (defaults not yet applied) — what a producer may hand to `emit()`. */
export type GovernorEventInput = z.input<typeof eventSchema>;

export interface EventsByType {
  cost: CostEvent;
  metric: MetricEvent;
  security: SecurityEvent;
}

const schemasByType = {
  cost: costEventSchema,
  metric: metricEventSchema,
  security: securityEventSchema,
} as const;

/** Validates a value known to be of one type with that type's schema alone (the emit() fast path). */
export function parseEventOfType<T extends EventType>(value: unknown, type: T): EventsByType[T] {
  const parsed = schemasByType[type].safeParse(value);
  if (!parsed.success) throw EventValidationError.fromZod(parsed.error);
  return parsed.data as EventsByType[T];
}

/** Validates an already-parsed value as an event; throws `EventValidationError` naming fields. */
export function parseEvent(value: unknown): GovernorEvent;
export function parseEvent<T extends EventType>(value: unknown, expected: T): EventsByType[T];
export function parseEvent(value: unknown, expected?: EventType): GovernorEvent {
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) throw EventValidationError.fromZod(envelope.error);
  if (expected && envelope.data.type !== expected) {
    throw new EventValidationError([{ path: 'type', message: `expected "${expected}", got "${envelope.data.type}"` }]);
  }
  const parsed = schemasByType[envelope.data.type].safeParse(value);
  if (!parsed.success) throw EventValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** Why a message body could not become an event: the three classes a dead-letter reason names. */
export type DecodeFailure = 'oversize' | 'not-json' | 'schema';

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
  constructor(
    readonly failure: DecodeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A message body as JSON, or an `EventDecodeError` saying it is too large or not JSON. */
export function parseJsonBody(body: Buffer, maxBytes: number = MAX_EVENT_BYTES): unknown {
  if (body.length > maxBytes) throw new EventDecodeError('oversize', `message is ${body.length} bytes; the limit is ${maxBytes}`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new EventDecodeError('not-json', `body is not JSON: ${(error as Error).message}`);
  }
}

/** Decodes a wire message (UTF-8 JSON) into a validated event of the expected type. */
export function decodeEvent<T extends EventType>(body: Buffer, expected: T): EventsByType[T] {
  const value = parseJsonBody(body);
  try {
    return parseEvent(value, expected);
  } catch (error) {
    throw new EventDecodeError('schema', (error as Error).message);
  }
}

/**
 * An event that is valid on the wire but can never be processed (an unpriced model, a date far in
 * the future): consumers dead-letter it with `failure` and the message instead of retrying.
 */
export class PermanentEventError extends Error {
  constructor(
    readonly failure: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
