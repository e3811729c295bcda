import type { Message, PubSub } from '@google-cloud/pubsub';

export interface RelayResult {
  acked: number;
  nacked: number;
  elapsedMilliseconds: number;
}

/**
 * Pushes a subscription's messages to an HTTP endpoint the way Pub/Sub does in production — the
 * push body, ack on 2xx, nack otherwise — but with `concurrency` requests in flight, where the
 * emulator's push loop sends one at a time. Resolves once `expected` messages were acked.
 */
export async function relayPush(pubsub: PubSub, subscriptionName: string, url: string, concurrency: number, expected: number, timeoutMilliseconds = 300_000): Promise<RelayResult> {
  const subscription = pubsub.subscription(subscriptionName, { flowControl: { maxMessages: concurrency, allowExcessMessages: false } });
  const started = Date.now();
  let acked = 0;
  let nacked = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay: ${acked}/${expected} acked after ${timeoutMilliseconds} ms`)), timeoutMilliseconds);
    subscription.on('error', reject);
    subscription.on('message', (m: Message) => {
      const body = {
        message: { data: m.data.toString('base64'), attributes: m.attributes, messageId: m.id, publishTime: m.publishTime.toISOString() },
        subscription: subscriptionName,
      };
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.ok) {
            m.ack();
            acked += 1;
            if (acked >= expected) {
              clearTimeout(timer);
              resolve();
            }
          } else {
            nacked += 1;
            m.nack();
          }
        })
        .catch(() => {
          nacked += 1;
          m.nack();
        });
    });
  });
  try {
    await done;
  } finally {
    await subscription.close();
  }
  return { acked, nacked, elapsedMilliseconds: Date.now() - started };
}
