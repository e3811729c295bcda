import { PubSub } from '@google-cloud/pubsub';
import { pushPathFor, type Topology } from '../../shared/topology/topology';

const ALREADY_EXISTS = 6;

export interface ProvisionOptions {
  projectId: string;
  pubsubHost: string;
  topology: Topology;
  /** Base URL of each function by name, e.g. `http://127.0.0.1:8181`. */
  functionUrls: Readonly<Record<string, string>>;
}

function ignoreExists(error: unknown): void {
  if ((error as { code?: number }).code !== ALREADY_EXISTS) throw error;
}

/**
 * Creates every topic, dead-letter topic, push subscription and dead-letter inspection
 * subscription of the topology on a Pub/Sub emulator. Idempotent: existing ones are kept.
 */
export async function provisionPubSub(options: ProvisionOptions): Promise<void> {
  const pubsub = new PubSub({ projectId: options.projectId, apiEndpoint: options.pubsubHost, emulatorMode: true });
  try {
    for (const topic of options.topology.allTopics) await pubsub.createTopic(topic).catch(ignoreExists);
    for (const fn of options.topology.functions) {
      const sub = fn.subscription;
      const baseUrl = options.functionUrls[fn.name];
      if (!baseUrl) throw new Error(`no URL for function ${fn.name}`);
      await pubsub
        .topic(sub.topic)
        .createSubscription(sub.name, {
          pushConfig: { pushEndpoint: `${baseUrl}${pushPathFor(options.projectId, sub.topic)}` },
          ackDeadlineSeconds: sub.ackDeadlineSeconds,
          messageRetentionDuration: { seconds: sub.messageRetentionSeconds },
          retryPolicy: {
            minimumBackoff: { seconds: sub.minimumBackoffSeconds },
            maximumBackoff: { seconds: sub.maximumBackoffSeconds },
          },
          deadLetterPolicy: {
            deadLetterTopic: `projects/${options.projectId}/topics/${sub.deadLetterTopic}`,
            maxDeliveryAttempts: sub.maxDeliveryAttempts,
          },
        })
        .catch(ignoreExists);
    }
    for (const dl of options.topology.deadLetterSubscriptions) {
      await pubsub.topic(dl.topic).createSubscription(dl.name).catch(ignoreExists);
    }
  } finally {
    await pubsub.close();
  }
}
