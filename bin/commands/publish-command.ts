import type { Command } from 'commander';
import { COST_CATEGORIES, type CostCategory } from '../../shared/contracts/vocabulary';
import { createPublisher } from '../../shared/publisher/publisher';
import { CliError, intOption, withCliContext } from './cli-context';
import { jsonOption, printResult, type JsonFlag } from './json-output';
import { microsOfUsd } from '../../shared/basics/money';

interface PublishCostOptions extends JsonFlag {
  category: string;
  usd?: string;
  micros?: string;
  model?: string;
  inputTokens?: string;
  outputTokens?: string;
  inputChars?: string;
  outputChars?: string;
  images?: string;
  promptHash?: string;
  eventId?: string;
  times: string;
  source: string;
  team?: string;
  tenant?: string;
  tag?: string[];
}

const int = (value: string | undefined, name: string): number | undefined => (value === undefined ? undefined : intOption(value, name));

export function registerPublishCommand(program: Command): void {
  const publish = program.command('publish').description('publish events by hand (demos, smoke tests)');
  publish
    .command('cost')
    .description('publish a cost event; --times N sends the same event id N times to show idempotency')
    .requiredOption('--category <category>', `one of ${COST_CATEGORIES.join(', ')}`)
    .option('--usd <amount>', 'amount in dollars')
    .option('--micros <amount>', 'amount in integer micro-USD')
    .option('--model <model>', 'price server-side from usage of this model')
    .option('--input-tokens <n>')
    .option('--output-tokens <n>')
    .option('--input-chars <n>')
    .option('--output-chars <n>')
    .option('--images <n>')
    .option('--prompt-hash <hex>', "the request's hash (16–64 hex digits), as governGenAI sets it: the breaker's loop key")
    .option('--event-id <ulid>', 'reuse an event id (default: a new ULID)')
    .option('--times <n>', 'send the event this many times', '1')
    .option('--source <agent>', 'agent id', 'governor-cli')
    .option('--team <team>', 'attribute the cost to a team')
    .option('--tenant <tenant>', 'attribute the cost to a tenant')
    .option('--tag <tag>', 'attribute the cost to a tag (repeat for several, at most 8)', (tag: string, tags: string[] = []) => [...tags, tag])
    .addOption(jsonOption())
    .action(async (opts: PublishCostOptions) => {
      await withCliContext(async (ctx) => {
        const attribution = opts.team || opts.tenant || opts.tag ? { ...(opts.team ? { team: opts.team } : {}), ...(opts.tenant ? { tenant: opts.tenant } : {}), ...(opts.tag ? { tags: opts.tag } : {}) } : undefined;
        const publisher = createPublisher({ projectId: ctx.projectId, source: opts.source, ...(attribution ? { attribution } : {}), exitHook: false });
        try {
          const category = opts.category as CostCategory;
          const payload = opts.model
            ? {
                category,
                usage: {
                  model: opts.model,
                  inputTokens: int(opts.inputTokens, 'input-tokens'),
                  outputTokens: int(opts.outputTokens, 'output-tokens'),
                  inputChars: int(opts.inputChars, 'input-chars'),
                  outputChars: int(opts.outputChars, 'output-chars'),
                  images: int(opts.images, 'images'),
                  promptHash: opts.promptHash,
                },
              }
            : { category, amountMicros: opts.usd !== undefined ? microsOfUsd(Number(opts.usd)) : int(opts.micros, 'micros') };
          const times = int(opts.times, 'times') ?? 1;
          let eventId = opts.eventId;
          for (let i = 0; i < times; i++) eventId = publisher.emit({ type: 'cost', eventId, payload: JSON.parse(JSON.stringify(payload)) }).eventId;
          const stats = await publisher.close();
          if (stats.failed > 0 || stats.dropped > 0) throw new CliError(`publishing failed: ${JSON.stringify(stats)}`);
          printResult({ eventId, published: stats.published, topic: ctx.topology.topics.cost }, opts, () => `published ${stats.published} × event ${eventId} to ${ctx.topology.topics.cost}`);
        } finally {
          await publisher.close();
        }
      });
    });
}
