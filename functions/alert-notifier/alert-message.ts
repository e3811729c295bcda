import { parseAlert, type Alert } from '../../shared/contracts/alert';
import { EventDecodeError, parseJsonBody } from '../../shared/contracts/event';
import type { PushedMessage } from '../common/pubsub-push';

/** Decodes a message on the alerts topic (a budget, forecast, performance or security alert as JSON). */
export function decodeAlert(message: PushedMessage): Alert {
  const value = parseJsonBody(message.data);
  try {
    return parseAlert(value);
  } catch (error) {
    throw new EventDecodeError('schema', `not an alert: ${(error as Error).message}`);
  }
}
