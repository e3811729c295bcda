import { z } from 'zod';
import { envelopeFields, metadataSchema } from './envelope';
import { SECURITY_EVENT_KINDS, SEVERITIES } from './vocabulary';

/**
 * A key is named by its public id only. The pattern is deliberately short and excludes the
 * separators a full key carries, so a key pasted into this field is refused rather than stored.
 */
export const apiKeyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9]{4,32}$/, 'a public key id (4-32 letters or digits), never the key itself');

export const securityPayloadSchema = z.strictObject({
  kind: z.enum(SECURITY_EVENT_KINDS),
  severity: z.enum(SEVERITIES).default('WARNING'),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  userId: z.string().min(1).max(256).optional(),
  apiKeyId: apiKeyIdSchema.optional(),
  details: metadataSchema.optional(),
});
export type SecurityPayload = z.infer<typeof securityPayloadSchema>;

/** What an agent passes to record a security event: the payload (the request guard emits it too). */
export type SecurityEventInput = SecurityPayload;

export const securityEventSchema = z.strictObject({
  ...envelopeFields,
  type: z.literal('security'),
  payload: securityPayloadSchema,
});
export type SecurityEvent = z.infer<typeof securityEventSchema>;
