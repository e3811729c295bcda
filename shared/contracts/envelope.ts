import { z } from 'zod';
import { EVENT_TYPES } from './vocabulary';

/** Version of the wire format; a consumer rejects versions it does not know. */
export const SCHEMA_VERSION = 1;

/**
 * Largest serialized event accepted, in bytes. Pub/Sub allows 10 MB per message; an agent's event
 * is a few hundred bytes, so anything near this limit is a bug or an attack, not data.
 */
export const MAX_EVENT_BYTES = 64 * 1024;

/** Agent ids: what a log line or a Firestore field can carry verbatim. */
export const agentIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, 'letters, digits and . _ : @ / - only');

/** Free-form key/value bag with bounded size and scalar values only. */
export const metadataSchema = z
  .record(
    z.string().min(1).max(64),
    z.union([z.string().max(1024), z.number().finite(), z.boolean()]),
  )
  .refine((bag) => Object.keys(bag).length <= 32, 'at most 32 keys');

/** The envelope fields every event carries; `payload` is narrowed per event type. */
export const envelopeFields = {
  eventId: z.ulid(),
  schemaVersion: z.literal(SCHEMA_VERSION),
  source: agentIdSchema,
  occurredAt: z.iso.datetime({ offset: true }),
};

/** Envelope with an unchecked payload: enough to route a message before validating its body. */
export const envelopeSchema = z.strictObject({
  ...envelopeFields,
  type: z.enum(EVENT_TYPES),
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof envelopeSchema>;
