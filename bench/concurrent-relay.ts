import type { Message, PubSub } from '@google-cloud/pubsub';

/**
 * Turns a push subscription into a pull one and pushes its messages to the function the way
 * Pub/Sub does in production — the push body, ack on 2xx, nack otherwise — with `concurrency`
 * requests in flight (the emulator's own push sends one at a time). Runs until `stop()`.
 * (bench/push-relay.ts is the same for a known number of messages.)
 */
export async function startConcurrentRelay(pubsub: PubSub, subscriptionName: string, url: string, concurrency: number): Promise<{ stop(): Promise<{ acked: number; nacked: number }> }> {
  await pubsub.subscription(subscriptionName).modifyPushConfig({});
  const subscription = pubsub.subscription(subscriptionName, { flowControl: { maxMessages: concurrency, allowExcessMessages: false } });
  let acked = 0;
  let nacked = 0;
  subscription.on('error', (error: Error) => process.stderr.write(`  relay error: ${error.message}\n`));
  subscription.on('message', (m: Message) => {
    const body = { message: { data: m.data.toString('base64'), attributes: m.attributes, messageId: m.id, publishTime: m.publishTime.toISOString() }, subscription: subscriptionName };
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) {
          acked += 1;
          m.ack();
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
  return {
    async stop() {
      await subscription.close();
      return { acked, nacked };
    },
  };
}
