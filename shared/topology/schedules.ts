import type { TopicKey } from './topology';

/** A job Cloud Scheduler runs in production and the local stack runs with croner. */
export interface ScheduleSpec {
  /** Job name (also the Terraform resource key). */
  name: string;
  /** Cron expression (5 fields, UTC). */
  cron: string;
  /** Topic the job publishes to. */
  topic: TopicKey;
  /** Message body. */
  data: string;
  description: string;
}

/** A scheduled tick's body is a few bytes; anything past this is not a tick. */
export const MAX_TICK_BYTES = 4096;

export const SCHEDULES: readonly ScheduleSpec[] = [
  {
    name: 'governor-metric-tick',
    cron: '* * * * *',
    topic: 'metricTicks',
    data: '{"tick":"metrics"}',
    description: 'Once a minute: evaluate performance rules, export settled metrics to Cloud Monitoring',
  },
  {
    name: 'governor-key-rotation-tick',
    cron: '*/5 * * * *',
    topic: 'keyRotation',
    data: '{"tick":"rotate"}',
    description: 'Every 5 minutes: rotate the secrets that are due, retire versions past their grace window',
  },
  {
    name: 'governor-alert-tick',
    cron: '* * * * *',
    topic: 'alertTicks',
    data: '{"tick":"alerts"}',
    description: 'Once a minute: email each alert route the digest of alerts queued since its last email',
  },
  {
    name: 'governor-budget-tick',
    cron: '* * * * *',
    topic: 'budgetTicks',
    data: '{"tick":"budgets"}',
    description: 'Once a minute: evaluate every budget of the current period (flags, alerts, unpublished alerts)',
  },
];
