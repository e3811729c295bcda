import { PubSub, type Message } from '@google-cloud/pubsub';
import { startEmulator, type EmulatorHandle } from '../../../bin/stack/emulators';
import { freePort } from '../../../bin/stack/ports';
import type { OutboundMessage } from '../../../shared/publisher/message-batch';
import { createPublisher } from '../../../shared/publisher/publisher';
import type { PublishError } from '../../../shared/publisher/publish-error';
import { PubSubTransport } from '../../../shared/publisher/transport';
import { testProjectId, waitFor } from '../../support/test-stack';

const TOPIC = 'governor-cost-events';

/** The real transport, counting requests on the way through. */
class CountingTransport extends PubSubTransport {
  requests = 0;
  override async publish(topic: string, messages: readonly OutboundMessage[], timeout: number): Promise<void> {
    this.requests += 1;
    await super.publish(topic, messages, timeout);
  }
}

async function createTopicAndSubscription(host: string, projectId: string): Promise<PubSub> {
  const pubsub = new PubSub({ projectId, apiEndpoint: host, emulatorMode: true });
  const [topic] = await pubsub.createTopic(TOPIC);
  await topic.createSubscription('probe');
  return pubsub;
}

async function pullAll(pubsub: PubSub, expected: number): Promise<Set<string>> {
  const ids = new Set<string>();
  const subscription = pubsub.subscription('probe');
  subscription.on('message', (m: Message) => {
    ids.add(m.attributes.eventId ?? '');
    m.ack();
  });
  await waitFor(async () => ids.size, (n) => n >= expected, 30_000, `${expected} messages`);
  await subscription.close();
  return ids;
}

describe('GovernorPublisher against the Pub/Sub emulator', () => {
  describe('on a running emulator', () => {
    it('publishes in batches and the subscriber receives every event', async () => {
      const projectId = testProjectId();
      const host = process.env.PUBSUB_EMULATOR_HOST as string;
      const pubsub = await createTopicAndSubscription(host, projectId);
      const transport = new CountingTransport({ projectId, emulatorHost: host });
      const publisher = createPublisher({ projectId, exitHook: false, transport, batching: { maxMessages: 50, maxMilliseconds: 10_000 } });
      const ids = Array.from({ length: 230 }, (_, i) => publisher.recordCost({ category: 'OTHER', amountMicros: i }).eventId);
      expect(await publisher.close()).toMatchObject({ accepted: 230, published: 230, failed: 0 });
      expect(transport.requests).toBe(5);
      expect([...(await pullAll(pubsub, 230))].sort()).toEqual(ids.sort());
      await pubsub.close();
    });
  });

  describe('on a stopped emulator', () => {
    let emulator: EmulatorHandle;
    let port: number;
    let projectId: string;

    beforeEach(async () => {
      port = await freePort();
      projectId = testProjectId();
      emulator = await startEmulator('pubsub', { port });
    });
    afterEach(async () => {
      await emulator.stop();
    });

    it('retries while the emulator is stopped and delivers everything once it runs again', async () => {
      const pubsub = await createTopicAndSubscription(emulator.hostPort, projectId);
      const publisher = createPublisher({
        projectId,
        emulatorHost: emulator.hostPort,
        exitHook: false,
        retry: { maxAttempts: 40, initialBackoffMilliseconds: 100, maxBackoffMilliseconds: 1000, requestTimeoutMilliseconds: 1000 },
      });
      publisher.recordCost({ category: 'OTHER', amountMicros: 1 });
      await publisher.flush();
      // SIGSTOP: the emulator process stops answering but keeps its topics (a killed emulator
      // comes back empty, and the test would race the publisher to recreate them).
      emulator.process.freeze();

      const ids = Array.from({ length: 50 }, (_, i) => publisher.recordCost({ category: 'OTHER', amountMicros: i }).eventId);
      await waitFor(async () => publisher.stats().retries, (n) => n >= 2, 20_000, 'retries against the stopped emulator');
      expect(publisher.stats().published).toBe(1);

      emulator.process.thaw();
      const stats = await publisher.close();
      expect(stats).toMatchObject({ accepted: 51, published: 51, failed: 0, dropped: 0 });
      // At-least-once: a request the emulator answered after its deadline is sent again, so the
      // subscriber may see a copy twice; every event id arrives.
      const received = await pullAll(pubsub, 51);
      for (const id of ids) expect(received.has(id)).toBe(true);
      await pubsub.close();
    });

    it('reports every event as failed, never silently, when the emulator stays down', async () => {
      const errors: PublishError[] = [];
      const publisher = createPublisher({
        projectId,
        emulatorHost: emulator.hostPort,
        exitHook: false,
        onError: (e) => errors.push(e),
        retry: { maxAttempts: 3, initialBackoffMilliseconds: 50, requestTimeoutMilliseconds: 1000 },
      });
      await emulator.stop();
      const ids = Array.from({ length: 10 }, () => publisher.recordCost({ category: 'OTHER', amountMicros: 5 }).eventId);
      const stats = await publisher.close();
      expect(stats).toMatchObject({ accepted: 10, published: 0, failed: 10, buffered: 0 });
      expect(errors.flatMap((e) => e.eventIds).sort()).toEqual(ids.sort());
      expect(errors[0]!.attempts).toBe(3);
    });
  });
});
