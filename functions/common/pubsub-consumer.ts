import type { HttpFunction } from '@google-cloud/functions-framework';
import { decodeEvent, EventDecodeError, type EventsByType } from '../../shared/contracts/event';
import type { EventType } from '../../shared/contracts/vocabulary';
import { createLogger } from '../../shared/logging/logger';
import { loadTopology } from '../../shared/topology/topology';
import { pubsub } from './clients';
import { deadLetter } from './dead-letter';
import { readPushedMessage, type PushedMessage } from './pubsub-push';

export interface ConsumerOptions<T extends EventType> {
  /** functions-framework target; also finds the subscription (and dead-letter topic) in the topology. */
  target: string;
  eventType: T;
  /** Does the work for one valid event; throwing nacks the message so Pub/Sub redelivers it. */
  handle: (event: EventsByType[T], message: PushedMessage) => Promise<void>;
}

/**
 * The thin adapter every event consumer shares: decode → validate → handle → ack (2xx). A message that
 * can never be valid is dead-lettered at once with its reason and acked; a failure of the work
 * itself is thrown so Pub/Sub retries it (and dead-letters it after the delivery attempts).
 */
export function pubsubConsumer<T extends EventType>(options: ConsumerOptions<T>): HttpFunction {
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
    let event: EventsByType[T];
    try {
      event = decodeEvent(message.data, options.eventType);
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      log.warn(
        { messageId: message.messageId, failure: error.failure, reason: error.message, deadLetterTopic },
        'invalid event dead-lettered',
      );
      try {
        await deadLetter(pubsub(), deadLetterTopic, message, { consumer: spec.name, failure: error.failure, reason: error.message });
      } catch (publishError) {
        log.error({ messageId: message.messageId, err: publishError }, 'dead-lettering failed; the message will be redelivered');
        res.status(500).json({ error: 'dead-lettering failed' });
        return;
      }
      res.status(204).end();
      return;
    }
    try {
      await options.handle(event, message);
    } catch (error) {
      log.error({ messageId: message.messageId, eventId: event.eventId, err: error }, 'handling failed; the message will be redelivered');
      // Any non-2xx nacks the push; Pub/Sub redelivers with the subscription's backoff.
      res.status(500).json({ error: 'handling failed' });
      return;
    }
    res.status(204).end();
  };
}
