import { z } from 'zod';
import { EventDecodeError, parseJsonBody } from '../../shared/contracts/event';
import type { PushedMessage } from '../common/pubsub-push';

/** What a message on the key-rotation topic asks for. */
export type RotationTrigger =
  | { kind: 'schedule'; secrets?: string[]; force: boolean }
  | { kind: 'secret-manager'; secret: string; eventType: string };

const scheduleSchema = z.strictObject({
  tick: z.string().optional(),
  secrets: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/)).optional(),
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
  const json = message.data.length === 0 ? {} : parseJsonBody(message.data, 4096);
  const parsed = scheduleSchema.safeParse(json);
  if (!parsed.success) throw new EventDecodeError('schema', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return { kind: 'schedule', ...(parsed.data.secrets ? { secrets: parsed.data.secrets } : {}), force: parsed.data.force };
}
