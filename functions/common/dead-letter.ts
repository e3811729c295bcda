import type { PubSub } from '@google-cloud/pubsub';
import type { PushedMessage } from './pubsub-push';

/** Attribute names Governor adds to a message it dead-letters itself. */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'governorDeadLetterReason',
  failure: 'governorDeadLetterFailure',
  consumer: 'governorConsumer',
  originalMessageId: 'governorOriginalMessageId',
} as const;

/** Attribute values are capped at 1024 bytes by Pub/Sub; a long zod message is cut to fit. */
const MAX_REASON_CHARS = 1000;

/**
 * Publishes a message that can never succeed to the dead-letter topic at once, with why, instead
 * of letting it burn every delivery attempt first.
 */
export async function deadLetter(
  client: PubSub,
  topic: string,
  message: PushedMessage,
  detail: { consumer: string; failure: string; reason: string },
): Promise<void> {
  await client.topic(topic).publishMessage({
    data: message.data,
    attributes: {
      ...message.attributes,
      [DEAD_LETTER_ATTRIBUTES.reason]: detail.reason.slice(0, MAX_REASON_CHARS),
      [DEAD_LETTER_ATTRIBUTES.failure]: detail.failure,
      [DEAD_LETTER_ATTRIBUTES.consumer]: detail.consumer,
      [DEAD_LETTER_ATTRIBUTES.originalMessageId]: message.messageId,
    },
  });
}
