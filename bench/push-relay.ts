import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';

export interface RelayResult {
  acked: number;
  nacked: number;
  elapsedMilliseconds: number;
}

interface RelayCounts {
  acked: number;
  nacked: number;
}

/**
 * Pushes a subscription's messages to an HTTP endpoint the way Pub/Sub does in production — the
 * push body, ack on 2xx, nack otherwise — with as many requests in flight as the subscription's
 * flow control allows (the emulator's own push loop sends one at a time).
 */
function relayTo(subscription: Subscription, subscriptionName: string, url: string, onAck: (counts: RelayCounts) => void = () => undefined): RelayCounts {
  const counts: RelayCounts = { acked: 0, nacked: 0 };
  const nack = (m: Message) => {
    counts.nacked += 1;
    m.nack();
  };
  subscription.on('message', (m: Message) => {
    const body = {
      message: { data: m.data.toString('base64'), attributes: m.attributes, messageId: m.id, publishTime: m.publishTime.toISOString() },
      subscription: subscriptionName,
    };
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(async (response) => {
        await response.arrayBuffer();
        if (!response.ok) return nack(m);
        m.ack();
        counts.acked += 1;
        onAck(counts);
      })
      .catch(() => nack(m));
  });
  return counts;
}

const pulling = (pubsub: PubSub, subscriptionName: string, concurrency: number) =>
  pubsub.subscription(subscriptionName, { flowControl: { maxMessages: concurrency, allowExcessMessages: false } });

/** Relays with `concurrency` in flight; resolves once `expected` messages were acked. */
export async function relayPush(pubsub: PubSub, subscriptionName: string, url: string, concurrency: number, expected: number, timeoutMilliseconds = 300_000): Promise<RelayResult> {
  const subscription = pulling(pubsub, subscriptionName, concurrency);
  const started = Date.now();
  let counts: RelayCounts = { acked: 0, nacked: 0 };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay: ${counts.acked}/${expected} acked after ${timeoutMilliseconds} ms`)), timeoutMilliseconds);
      subscription.on('error', reject);
      counts = relayTo(subscription, subscriptionName, url, ({ acked }) => {
        if (acked < expected) return;
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    await subscription.close();
  }
  return { ...counts, elapsedMilliseconds: Date.now() - started };
}

/**
 * Turns a push subscription into a pull one and relays its messages with `concurrency` in flight
 * until `stop()` — for a run whose number of messages is not known in advance.
 */
export async function startConcurrentRelay(pubsub: PubSub, subscriptionName: string, url: string, concurrency: number): Promise<{ stop(): Promise<RelayCounts> }> {
  await pubsub.subscription(subscriptionName).modifyPushConfig({});
  const subscription = pulling(pubsub, subscriptionName, concurrency);
  subscription.on('error', (error: Error) => process.stderr.write(`  relay error: ${error.message}\n`));
  const counts = relayTo(subscription, subscriptionName, url);
  return {
    async stop() {
      await subscription.close();
      return { ...counts };
    },
  };
}
