import { PubSub, v1 } from '@google-cloud/pubsub';
import type { OutboundMessage } from './message-batch';

/** The one call the publisher needs from Pub/Sub, as a port so the batching core is testable alone. */
export interface PublishTransport {
  publish(topic: string, messages: readonly OutboundMessage[], timeoutMilliseconds: number): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubTransportOptions {
  projectId: string;
  /** `host:port` of a Pub/Sub emulator; default `PUBSUB_EMULATOR_HOST`. */
  emulatorHost?: string;
}

/**
 * Publishes batches with one `Publish` RPC each through the generated client: the publisher does
 * its own batching and retrying, so the library's are bypassed (`retry: null`).
 */
export class PubSubTransport implements PublishTransport {
  private readonly client: Promise<v1.PublisherClient>;

  constructor(private readonly options: PubSubTransportOptions) {
    const emulatorHost = options.emulatorHost ?? process.env.PUBSUB_EMULATOR_HOST;
    const pubsub = new PubSub({
      projectId: options.projectId,
      ...(emulatorHost ? { apiEndpoint: emulatorHost, emulatorMode: true } : {}),
    });
    this.client = pubsub
      .getClientConfig()
      .then((config) => new v1.PublisherClient({ ...config, port: config.port === undefined ? undefined : Number(config.port) }));
    // A failed construction surfaces on the first publish; never as an unhandled rejection.
    this.client.catch(() => undefined);
  }

  async publish(topic: string, messages: readonly OutboundMessage[], timeoutMilliseconds: number): Promise<void> {
    const client = await this.client;
    await client.publish(
      {
        topic: `projects/${this.options.projectId}/topics/${topic}`,
        messages: messages.map((m) => ({ data: m.data, attributes: m.attributes })),
      },
      { timeout: timeoutMilliseconds, retry: null },
    );
  }

  async close(): Promise<void> {
    const client = await this.client.catch(() => undefined);
    await client?.close();
  }
}
