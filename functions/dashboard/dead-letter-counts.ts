import { v1, type PubSub } from '@google-cloud/pubsub';
import type { Topology } from '../../shared/topology/topology';

export interface DeadLetterCount {
  topic: string;
  subscription: string;
  /** Messages waiting in the inspection subscription (at least this many when `capped`). */
  count: number;
  capped: boolean;
  /** Why the count could not be read, instead of a count. */
  error?: string;
}

export const DEAD_LETTER_COUNT_DEFAULTS = {
  // Enough to tell "a few" from "a flood"; beyond it the panel says "1000+".
  maxCounted: 1000,
  // A pull that finds nothing returns at once with returnImmediately; this bounds one that hangs.
  pullTimeoutMilliseconds: 3000,
} as const;

const DEADLINE_EXCEEDED = 4;

/**
 * Counts what waits on each dead-letter inspection subscription by pulling it (Pub/Sub has no
 * backlog count in its API; Cloud Monitoring has, but not the emulator) and handing every message
 * straight back (ack deadline 0), so `governor dead-letters` still reads them all.
 */
export class DeadLetterCounter {
  private client: v1.SubscriberClient | undefined;
  private readonly settings: typeof DEAD_LETTER_COUNT_DEFAULTS;

  constructor(
    private readonly pubsub: PubSub,
    private readonly projectId: string,
    private readonly topology: Topology,
    options: Partial<typeof DEAD_LETTER_COUNT_DEFAULTS> = {},
  ) {
    this.settings = { ...DEAD_LETTER_COUNT_DEFAULTS, ...options };
  }

  async count(): Promise<DeadLetterCount[]> {
    // One gRPC client for the counter's life, made on first use.
    this.client ??= new v1.SubscriberClient((await this.pubsub.getClientConfig()) as never);
    const client = this.client;
    const { maxCounted, pullTimeoutMilliseconds } = this.settings;
    return Promise.all(
      this.topology.deadLetterSubscriptions.map(async (spec): Promise<DeadLetterCount> => {
        const subscription = `projects/${this.projectId}/subscriptions/${spec.name}`;
        const ackIds: string[] = [];
        try {
          while (ackIds.length < maxCounted) {
            const received = await pullOnce(client, subscription, maxCounted - ackIds.length, pullTimeoutMilliseconds);
            if (received.length === 0) break;
            ackIds.push(...received);
          }
          return { topic: spec.topic, subscription: spec.name, count: ackIds.length, capped: ackIds.length >= maxCounted };
        } catch (error) {
          return { topic: spec.topic, subscription: spec.name, count: ackIds.length, capped: false, error: (error as Error).message };
        } finally {
          if (ackIds.length > 0) await client.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: 0 }).catch(() => undefined);
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }
}

async function pullOnce(client: v1.SubscriberClient, subscription: string, max: number, timeout: number): Promise<string[]> {
  try {
    const [response] = await client.pull({ subscription, maxMessages: max, returnImmediately: true }, { timeout, retry: null as never });
    return (response.receivedMessages ?? []).map((m) => m.ackId).filter((id): id is string => Boolean(id));
  } catch (error) {
    if ((error as { code?: number }).code === DEADLINE_EXCEEDED) return [];
    throw error;
  }
}
