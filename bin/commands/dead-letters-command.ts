import type { Command } from 'commander';
import { DEAD_LETTER_ATTRIBUTES } from '../../functions/common/dead-letter';
import { cliContext, CliError, output } from './cli-context';

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

export function registerDeadLettersCommand(program: Command): void {
  program
    .command('dead-letters')
    .description('read dead-lettered messages and why they were refused (they stay unless --ack)')
    .option('--topic <key>', 'topology topic key whose dead letters to read', 'cost')
    .option('--max <n>', 'most messages to read', '20')
    .option('--ack', 'remove the messages read')
    .option('--json', 'print JSON')
    .action(async (opts: { topic: string; max: string; ack?: boolean; json?: boolean }) => {
      const ctx = cliContext();
      try {
        const topic = ctx.topology.topics[opts.topic as keyof typeof ctx.topology.topics];
        const spec = ctx.topology.deadLetterSubscriptions.find((d) => d.topic === `${topic}-dead-letter`);
        if (!spec) throw new CliError(`no dead-letter subscription for topic key "${opts.topic}"`);
        const { v1 } = await import('@google-cloud/pubsub');
        const client = new v1.SubscriberClient(await ctx.pubsub().getClientConfig() as never);
        const subscription = `projects/${ctx.projectId}/subscriptions/${spec.name}`;
        const [response] = await client.pull({ subscription, maxMessages: Number(opts.max) });
        const received = response.receivedMessages ?? [];
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
        const ackIds = received.map((r) => r.ackId).filter((id): id is string => Boolean(id));
        if (ackIds.length > 0) {
          // Without --ack the messages go back at once for the next reader.
          if (opts.ack) await client.acknowledge({ subscription, ackIds });
          else await client.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: 0 });
        }
        await client.close();
        output(views, Boolean(opts.json), () =>
          views.length === 0
            ? `no dead letters on ${spec.topic}`
            : views.map((v) => `${v.publishTime} ${v.messageId} [${v.failure ?? '?'}] ${v.reason ?? ''}\n    ${v.body}`).join('\n'),
        );
      } finally {
        await ctx.close();
      }
    });
}
