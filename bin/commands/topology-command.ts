import type { Command } from 'commander';
import { loadTopology } from '../../shared/topology/topology';
import { jsonOption, printResult, type JsonFlag } from './json-output';

export function registerTopologyCommand(program: Command): void {
  program
    .command('topology')
    .description('show the topics, push subscriptions and dead-letter topics Governor uses')
    .addOption(jsonOption())
    .action((opts: JsonFlag) => {
      const topology = loadTopology();
      printResult(topology, opts, () =>
        [
          'Topics:',
          ...Object.entries(topology.topics).map(([k, v]) => `  ${k.padEnd(12)} ${v}`),
          'Functions:',
          ...topology.functions.map(
            (f) =>
              `  ${f.name} (${f.target}) ← ${f.subscription.name} on ${f.subscription.topic}; ` +
              `${f.subscription.maxDeliveryAttempts} attempts, then ${f.subscription.deadLetterTopic}`,
          ),
        ].join('\n'),
      );
    });
}
