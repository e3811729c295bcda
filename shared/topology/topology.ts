/**
 * The one place that names Governor's topics, subscriptions, dead-letter topics and delivery
 * settings. The local stack provisions from it, the functions route by it, and a test proves the
 * Terraform in infra/ agrees with it.
 */

export const TOPIC_KEYS = ['cost', 'metric', 'security', 'alerts', 'keyRotation', 'billing', 'metricTicks', 'alertTicks', 'budgetTicks'] as const;
export type TopicKey = (typeof TOPIC_KEYS)[number];

/** Default topic names, each overridable by the env var beside it. */
export const TOPIC_DEFAULTS: Readonly<Record<TopicKey, { name: string; env: string }>> = {
  cost: { name: 'governor-cost-events', env: 'GOVERNOR_TOPIC_COST' },
  metric: { name: 'governor-metric-events', env: 'GOVERNOR_TOPIC_METRIC' },
  security: { name: 'governor-security-events', env: 'GOVERNOR_TOPIC_SECURITY' },
  alerts: { name: 'governor-alerts', env: 'GOVERNOR_TOPIC_ALERTS' },
  keyRotation: { name: 'governor-key-rotation', env: 'GOVERNOR_TOPIC_KEY_ROTATION' },
  /** Where Cloud Billing budgets publish their notifications (optional). */
  billing: { name: 'governor-billing-budgets', env: 'GOVERNOR_TOPIC_BILLING' },
  /** Once a minute (Cloud Scheduler; locally the stack's scheduler): evaluate rules, export metrics. */
  metricTicks: { name: 'governor-metric-ticks', env: 'GOVERNOR_TOPIC_METRIC_TICKS' },
  /** Once a minute: email the alert digests whose window has passed. */
  alertTicks: { name: 'governor-alert-ticks', env: 'GOVERNOR_TOPIC_ALERT_TICKS' },
  /** Once a minute: evaluate every budget of the current period (the backstop of the spend path's evaluations). */
  budgetTicks: { name: 'governor-budget-ticks', env: 'GOVERNOR_TOPIC_BUDGET_TICKS' },
};

/** Delivery settings shared by every consumer subscription unless one overrides them. */
export const DELIVERY_DEFAULTS = {
  // Long enough for one batched Firestore transaction under contention, short enough to retry soon.
  ackDeadlineSeconds: 60,
  // Five attempts, then the dead-letter topic: transient faults heal within that, poison does not.
  maxDeliveryAttempts: 5,
  minimumBackoffSeconds: 1,
  maximumBackoffSeconds: 60,
  // Seven days: the longest Pub/Sub keeps unacked messages, so an outage never loses events.
  messageRetentionSeconds: 7 * 24 * 3600,
} as const;

export interface SubscriptionSpec {
  name: string;
  topic: string;
  deadLetterTopic: string;
  ackDeadlineSeconds: number;
  maxDeliveryAttempts: number;
  minimumBackoffSeconds: number;
  maximumBackoffSeconds: number;
  messageRetentionSeconds: number;
}

/** A Cloud Function and the push subscription that feeds it. */
export interface FunctionSpec {
  /** Deployed name (kebab-case), also the Terraform resource name. */
  name: string;
  /** Name registered with functions-framework (`--target`). */
  target: string;
  subscription: SubscriptionSpec;
}

export interface Topology {
  topics: Readonly<Record<TopicKey, string>>;
  /** Every topic to create, dead-letter topics included. */
  allTopics: readonly string[];
  functions: readonly FunctionSpec[];
  /** Pull subscriptions on each dead-letter topic, so dead-lettered messages are kept and inspectable. */
  deadLetterSubscriptions: readonly { name: string; topic: string }[];
}

export function deadLetterTopicOf(topic: string): string {
  return `${topic}-dead-letter`;
}

/** Builds the topology, applying topic-name overrides from `env`. */
export function loadTopology(env: NodeJS.ProcessEnv = process.env): Topology {
  const topics = Object.fromEntries(
    TOPIC_KEYS.map((key) => [key, env[TOPIC_DEFAULTS[key].env]?.trim() || TOPIC_DEFAULTS[key].name]),
  ) as Record<TopicKey, string>;

  const consumer = (name: string, target: string, topic: string): FunctionSpec => ({
    name,
    target,
    subscription: { name: `${name}-push`, topic, deadLetterTopic: deadLetterTopicOf(topic), ...DELIVERY_DEFAULTS },
  });

  const functions = [
    consumer('spend-aggregator', 'spendAggregator', topics.cost),
    consumer('billing-ingestor', 'billingIngestor', topics.billing),
    consumer('metric-aggregator', 'metricAggregator', topics.metric),
    consumer('metric-evaluator', 'metricEvaluator', topics.metricTicks),
    consumer('security-monitor', 'securityMonitor', topics.security),
    consumer('key-rotator', 'keyRotator', topics.keyRotation),
    consumer('alert-notifier', 'alertNotifier', topics.alerts),
    consumer('alert-digest', 'alertDigest', topics.alertTicks),
    consumer('budget-evaluator', 'budgetEvaluator', topics.budgetTicks),
  ];
  const deadLetterTopics = [...new Set(functions.map((f) => f.subscription.deadLetterTopic))];
  return {
    topics,
    allTopics: [...Object.values(topics), ...deadLetterTopics],
    functions,
    deadLetterSubscriptions: deadLetterTopics.map((topic) => ({ name: `${topic}-inspect`, topic })),
  };
}

/** The one HTTP function no subscription feeds: the operators' dashboard (infra/dashboard.tf deploys it). */
export const DASHBOARD_FUNCTION = { name: 'dashboard', target: 'dashboard' } as const;

/** The push endpoint path for a topic; a bare `/` would leave the CloudEvent `source` empty. */
export function pushPathFor(projectId: string, topic: string): string {
  return `/projects/${projectId}/topics/${topic}`;
}
