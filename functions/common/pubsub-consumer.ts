import type { HttpFunction } from '@google-cloud/functions-framework';
import { decodeEvent, EventDecodeError, PermanentEventError, type EventsByType } from '../../shared/contracts/event';
import type { EventType } from '../../shared/contracts/vocabulary';
import { createLogger } from '../../shared/logging/logger';
import { loadTopology } from '../../shared/topology/topology';
import { pubsub } from './clients';
import { deadLetter } from './dead-letter';
import { readPushedMessage, type PushedMessage } from './pubsub-push';

export interface ConsumerOptions<T> {
  /** functions-framework target; also finds the subscription (and dead-letter topic) in the topology. */
  target: string;
  /** Turns the message into a valid value, or throws `EventDecodeError` (dead-lettered with its reason). */
  decode: (message: PushedMessage) => T;
  /**
   * Does the work for one valid event. Throwing nacks the message so Pub/Sub redelivers it;
   * throwing a `PermanentEventError` dead-letters it at once with its reason.
   */
  handle: (value: NoInfer<T>, message: PushedMessage) => Promise<void>;
}

/** The decoder for Governor events of one type (the wire format in the README). */
export function governorEvents<T extends EventType>(type: T): (message: PushedMessage) => EventsByType[T] {
  return (message) => decodeEvent(message.data, type);
}

/**
 * The thin adapter every event consumer shares: decode → validate → handle → ack (2xx). A message that
 * can never be valid is dead-lettered at once with its reason and acked; a failure of the work
 * itself is thrown so Pub/Sub retries it (and dead-letters it after the delivery attempts).
 */
export function pubsubConsumer<T>(options: ConsumerOptions<T>): HttpFunction {
  const spec = loadTopology().functions.find((f) => f.target === options.target);
  if (!spec) throw new Error(`no function with target ${options.target} in the topology`);
  const log = createLogger({ component: spec.name });
  const deadLetterTopic = spec.subscription.deadLetterTopic;

  return async (req, res) => {
    let message: PushedMessage;
    try {
      message = readPushedMessage(req.body);
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'request is not a Pub/Sub push; refused');
      res.status(400).json({ error: 'expected a Pub/Sub push request body' });
      return;
    }
    try {
      await options.handle(options.decode(message), message);
    } catch (error) {
      if (error instanceof EventDecodeError || error instanceof PermanentEventError) {
        const failure = error.failure;
        log.warn({ messageId: message.messageId, failure, reason: error.message, deadLetterTopic }, 'invalid event dead-lettered');
        try {
          await deadLetter(pubsub(), deadLetterTopic, message, { consumer: spec.name, failure, reason: error.message });
        } catch (publishError) {
          log.error({ messageId: message.messageId, err: publishError }, 'dead-lettering failed; the message will be redelivered');
          res.status(500).json({ error: 'dead-lettering failed' });
          return;
        }
        res.status(204).end();
        return;
      }
      log.error({ messageId: message.messageId, err: error }, 'handling failed; the message will be redelivered');
      // Any non-2xx nacks the push; Pub/Sub redelivers with the subscription's backoff.
      res.status(500).json({ error: 'handling failed' });
      return;
    }
    res.status(204).end();
  };
}
