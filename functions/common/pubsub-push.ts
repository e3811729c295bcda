import { z } from 'zod';

/**
 * The body of a Pub/Sub push request (and of an Eventarc binary-mode CloudEvent, which carries the
 * same JSON): the message with base64 `data`, its attributes and ids. Functions are HTTP functions
 * reading this body themselves: functions-framework's CloudEvent conversion drops messages that
 * have attributes but no data.
 */
export const pushedMessageSchema = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

export interface PushedMessage {
  data: Buffer;
  attributes: Record<string, string>;
  messageId: string;
  publishTime: string | undefined;
  subscription: string | undefined;
}

/** Extracts the message; throws when the body is not a Pub/Sub push at all. */
export function readPushedMessage(body: unknown): PushedMessage {
  const parsed = pushedMessageSchema.parse(body);
  const { message } = parsed;
  return {
    data: Buffer.from(message.data ?? '', 'base64'),
    attributes: message.attributes ?? {},
    messageId: message.messageId ?? message.message_id ?? '',
    publishTime: message.publishTime,
    subscription: parsed.subscription,
  };
}
