import { z } from 'zod';
import { EventDecodeError, parseJsonBody } from '../../shared/contracts/event';
import type { PushedMessage } from '../common/pubsub-push';
import { ValidationError } from '../../shared/contracts/validation-error';
import { MAX_TICK_BYTES } from '../../shared/topology/schedules';

/** `{"tick":"alerts"}` from the schedule; `"flush": true` (from `governor alerts flush`) ignores the digest window. */
const tickSchema = z.object({ tick: z.literal('alerts'), flush: z.boolean().default(false) });
export type DigestTick = z.infer<typeof tickSchema>;

export function decodeDigestTick(message: PushedMessage): DigestTick {
  const value = parseJsonBody(message.data, MAX_TICK_BYTES);
  const parsed = tickSchema.safeParse(value);
  if (!parsed.success) throw new EventDecodeError('schema', `expected {"tick":"alerts","flush"?:boolean}: ${ValidationError.fromZod(parsed.error).message}`);
  return parsed.data;
}
