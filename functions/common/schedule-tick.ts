import { EventDecodeError } from '../../shared/contracts/event';
import { MAX_TICK_BYTES } from '../../shared/topology/schedules';
import type { PushedMessage } from './pubsub-push';

/** A tick's body does not matter (Cloud Scheduler sends what it is configured with); its size does. */
export function decodeTick(message: PushedMessage): { receivedAt: Date } {
  if (message.data.length > MAX_TICK_BYTES) throw new EventDecodeError('oversize', `a tick is at most ${MAX_TICK_BYTES} bytes, got ${message.data.length}`);
  return { receivedAt: new Date() };
}
