import { PubSub } from '@google-cloud/pubsub';
import { Cron } from 'croner';
import type { ScheduleSpec } from '../../shared/topology/schedules';
import type { Topology } from '../../shared/topology/topology';

export interface LocalScheduler {
  stop(): Promise<void>;
}

/**
 * Runs the production schedules locally: croner publishes the same message to the same topic
 * Cloud Scheduler would. Failures are reported, never thrown into the timer.
 */
export function startLocalScheduler(options: {
  projectId: string;
  pubsubHost: string;
  topology: Topology;
  schedules: readonly ScheduleSpec[];
  onEvent: (line: string) => void;
}): LocalScheduler {
  const pubsub = new PubSub({ projectId: options.projectId, apiEndpoint: options.pubsubHost, emulatorMode: true });
  const jobs = options.schedules.map(
    (spec) =>
      new Cron(spec.cron, { timezone: 'UTC', name: spec.name }, async () => {
        try {
          const id = await pubsub.topic(options.topology.topics[spec.topic]).publishMessage({ data: Buffer.from(spec.data), attributes: { schedule: spec.name } });
          options.onEvent(`${spec.name} → ${options.topology.topics[spec.topic]} (message ${id})`);
        } catch (error) {
          options.onEvent(`${spec.name} failed to publish: ${(error as Error).message}`);
        }
      }),
  );
  return {
    async stop() {
      for (const job of jobs) job.stop();
      await pubsub.close();
    },
  };
}
