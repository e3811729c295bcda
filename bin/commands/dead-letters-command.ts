import type { v1 } from '@google-cloud/pubsub';
import type { Command } from 'commander';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { deadLetterTopicOf } from '../../shared/topology/topology';
import { CliError, intOption, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';

interface DeadLetterView {
  messageId: string;
  publishTime: string;
  failure: string | undefined;
  reason: string | undefined;
  consumer: string | undefined;
  deliveryAttempts: string | undefined;
  body: string;
}

/** Pub/Sub's own attribute on messages it dead-lettered after the delivery attempts. */
const DELIVERY_ATTEMPTS_ATTRIBUTE = 'CloudPubSubDeadLetterSourceDeliveryCount';

/** How long a pull waits for messages: Pub/Sub holds an empty pull open (the emulator for minutes). */
const PULL_WAIT_MILLISECONDS = 3000;
const DEADLINE_EXCEEDED = 4;

/** One pull of up to `max` messages; none within the wait is an empty answer, not an error. */
async function pullOnce(client: InstanceType<typeof v1.SubscriberClient>, subscription: string, max: number) {
  try {
    const [response] = await client.pull({ subscription, maxMessages: max }, { timeout: PULL_WAIT_MILLISECONDS, retry: null as never });
    return response.receivedMessages ?? [];
  } catch (error) {
    if ((error as { code?: number }).code === DEADLINE_EXCEEDED) return [];
    throw error;
  }
}

export function registerDeadLettersCommand(program: Command): void {
  program
    .command('dead-letters')
    .description('read dead-lettered messages and why they were refused (they stay unless --ack)')
    .option('--topic <key>', 'topology topic key whose dead letters to read', 'cost')
    .option('--max <n>', 'most messages to read', '20')
    .option('--ack', 'remove the messages read')
    .option('--replay', 'publish the messages read to their topic again (e.g. alerts, once SMTP works), then remove them')
    .addOption(jsonOption())
    .action(async (opts: { topic: string; max: string; ack?: boolean; replay?: boolean } & JsonFlag) => {
      const max = intOption(opts.max, 'max', { min: 1, max: 1000 });
      await withCliContext(async (ctx) => {
        const topic = ctx.topology.topics[opts.topic as keyof typeof ctx.topology.topics];
        const spec = ctx.topology.deadLetterSubscriptions.find((d) => d.topic === deadLetterTopicOf(topic));
        if (!spec) throw new CliError(`no dead-letter subscription for topic key "${opts.topic}"`);
        const { v1 } = await import('@google-cloud/pubsub');
        const client = new v1.SubscriberClient(await ctx.pubsub().getClientConfig() as never);
        const subscription = `projects/${ctx.projectId}/subscriptions/${spec.name}`;
        const received = await pullOnce(client, subscription, max);
        const views: DeadLetterView[] = received.map((r) => {
          const m = r.message ?? {};
          const a = m.attributes ?? {};
          return {
            messageId: String(m.messageId ?? ''),
            publishTime: m.publishTime?.seconds ? new Date(Number(m.publishTime.seconds) * 1000).toISOString() : '',
            failure: a[DEAD_LETTER_ATTRIBUTES.failure] ?? (a[DELIVERY_ATTEMPTS_ATTRIBUTE] ? 'delivery-attempts-exhausted' : undefined),
            reason: a[DEAD_LETTER_ATTRIBUTES.reason],
            consumer: a[DEAD_LETTER_ATTRIBUTES.consumer],
            deliveryAttempts: a[DELIVERY_ATTEMPTS_ATTRIBUTE],
            body: Buffer.from(m.data ?? '').toString('utf8').slice(0, 200),
          };
        });
        if (opts.replay) {
          // The original data and attributes, without what dead-lettering added; removed only once republished.
          for (const r of received) {
            const attributes = Object.fromEntries(Object.entries(r.message?.attributes ?? {}).filter(([k]) => !k.startsWith('governor') && !k.startsWith('CloudPubSubDeadLetter')));
            await ctx.pubsub().topic(topic).publishMessage({ data: Buffer.from(r.message?.data ?? ''), attributes });
          }
        }
        const ackIds = received.map((r) => r.ackId).filter((id): id is string => Boolean(id));
        if (ackIds.length > 0) {
          // Without --ack (or --replay) the messages go back at once for the next reader.
          if (opts.ack || opts.replay) await client.acknowledge({ subscription, ackIds });
          else await client.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: 0 });
        }
        await client.close();
        printResult(views, opts, () =>
          views.length === 0
            ? `no dead letters on ${spec.topic}`
            : opts.replay
              ? `${views.length} message(s) published to ${topic} again`
            : views.map((v) => `${v.publishTime} ${v.messageId} [${v.failure ?? '?'}] ${v.reason ?? ''}\n    ${v.body}`).join('\n'),
        );
      });
    });
}
