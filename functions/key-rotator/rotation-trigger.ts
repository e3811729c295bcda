import { z } from 'zod';
import { EventDecodeError, parseJsonBody } from '../../shared/contracts/event';
import type { PushedMessage } from '../common/pubsub-push';
import { secretIdSchema } from '../../shared/secrets/secret-id';
import { ValidationError } from '../../shared/contracts/validation-error';
import { MAX_TICK_BYTES } from '../../shared/topology/schedules';

/** What a message on the key-rotation topic asks for. */
export type RotationTrigger =
  | { kind: 'schedule'; secrets?: string[]; force: boolean }
  | { kind: 'secret-manager'; secret: string; eventType: string };

const scheduleSchema = z.strictObject({
  tick: z.string().optional(),
  secrets: z.array(secretIdSchema).optional(),
  force: z.boolean().default(false),
});

/**
 * Decodes a Cloud Scheduler tick (`{"tick":"rotate"}`, optionally `secrets` and `force`) or a
 * Secret Manager notification (attributes `eventType`, `secretId`; only SECRET_ROTATE asks for a
 * rotation — the others, our own version adds included, are acknowledged and ignored).
 */
export function decodeRotationTrigger(message: PushedMessage): RotationTrigger {
  const eventType = message.attributes.eventType;
  if (eventType) {
    const secretId = message.attributes.secretId ?? '';
    const secret = /^projects\/[^/]+\/secrets\/([^/]+)$/.exec(secretId)?.[1];
    if (!secret) throw new EventDecodeError('schema', `Secret Manager notification without a valid secretId attribute ("${secretId}")`);
    return { kind: 'secret-manager', secret, eventType };
  }
  // An empty body is a plain tick.
  const json = message.data.length === 0 ? {} : parseJsonBody(message.data, MAX_TICK_BYTES);
  const parsed = scheduleSchema.safeParse(json);
  if (!parsed.success) throw new EventDecodeError('schema', ValidationError.fromZod(parsed.error).message);
  return { kind: 'schedule', ...(parsed.data.secrets ? { secrets: parsed.data.secrets } : {}), force: parsed.data.force };
}
