import { newEventId } from '../../shared/contracts/event-id';
import { SCHEDULES } from '../../shared/topology/schedules';
import { TOPIC_KEYS, type TopicKey } from '../../shared/topology/topology';
import { budgetAlert } from './alert-fixtures';
import { GCP_NOTIFICATION, GCP_NOTIFICATION_ATTRIBUTES } from './billing-fixtures';

/** One Pub/Sub message as a consumer receives it: the body and its attributes. */
export interface SampleMessage {
  data: Buffer;
  attributes: Record<string, string>;
}

const json = (value: unknown, attributes: Record<string, string> = {}): SampleMessage => ({ data: Buffer.from(JSON.stringify(value)), attributes });
const envelope = (type: string, payload: unknown) => ({ eventId: newEventId(), schemaVersion: 1, type, source: 'sample-agent', occurredAt: new Date().toISOString(), payload });

/** Valid messages of the topics agents and Google publish to; the scheduled topics' come from SCHEDULES. */
const PUBLISHED: Partial<Record<TopicKey, () => SampleMessage>> = {
  cost: () => json(envelope('cost', { category: 'AI_API_CALLS', amountMicros: 250_000 })),
  metric: () => {
    const at = new Date();
    const end = new Date(at.getTime() + 10_000);
    return json(envelope('metric', { metric: 'LATENCY', labels: { operation: 'sample' }, intervalStart: at.toISOString(), intervalEnd: end.toISOString(), count: 1, sum: 120, min: 120, max: 120 }));
  },
  security: () => json(envelope('security', { kind: 'AUTHENTICATION_FAILURE', severity: 'WARNING', ip: '203.0.113.10' })),
  alerts: () => json(budgetAlert()),
  billing: () => json(GCP_NOTIFICATION, GCP_NOTIFICATION_ATTRIBUTES),
};

/**
 * A fresh valid message for a topic: what its producer publishes (a scheduled topic gets its
 * Cloud Scheduler job's body). Throws for a topic nobody here knows how to feed, so a new
 * consumer gets a sample before the tests that push one through every consumer pass.
 */
export function sampleMessage(topic: TopicKey): SampleMessage {
  const published = PUBLISHED[topic];
  if (published) return published();
  const schedule = SCHEDULES.find((s) => s.topic === topic);
  if (schedule) return { data: Buffer.from(schedule.data), attributes: {} };
  throw new Error(`no sample message for topic ${topic}: add one to test/support/sample-messages.ts`);
}

/** The topic key of a topic name in the default topology. */
export function topicKeyOf(topics: Readonly<Record<TopicKey, string>>, name: string): TopicKey {
  const key = TOPIC_KEYS.find((k) => topics[k] === name);
  if (!key) throw new Error(`topic ${name} is not in the topology`);
  return key;
}
