import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { TTL_COLLECTIONS, TTL_FIELD } from '../../shared/basics/collections';
import { EXPORTED_LABELS, EXPORT_SHAPES } from '../../shared/metrics/monitoring-export';
import { SCHEDULES } from '../../shared/topology/schedules';
import { DELIVERY_DEFAULTS, TOPIC_KEYS, deadLetterTopicOf, loadTopology } from '../../shared/topology/topology';
import { block, loadTerraform, resource, type TerraformModule } from '../support/terraform';

/** Terraform keys are snake_case; topology keys camelCase. */
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('infra/ agrees with the topology module', () => {
  const topology = loadTopology({});
  let tf: TerraformModule;

  beforeAll(async () => {
    tf = await loadTerraform(join(repoRoot(), 'infra'));
  });

  it('names every topic as the topology does', () => {
    const topics = tf.locals.topics as Record<string, string>;
    expect(topics).toEqual(Object.fromEntries(TOPIC_KEYS.map((k) => [snake(k), topology.topics[k]])));
    expect(resource(tf, 'google_pubsub_topic', 'events').for_each).toBe('${local.topics}');
  });

  it('defines one function, push subscription and dead-letter topic per topology function', () => {
    const functions = tf.locals.functions as Record<string, { target: string; topic: string }>;
    const topicKeyOf = (name: string) => TOPIC_KEYS.find((k) => topology.topics[k] === name);
    expect(functions).toEqual(
      Object.fromEntries(topology.functions.map((f) => [f.name, { target: f.target, topic: snake(topicKeyOf(f.subscription.topic) ?? '?') }])),
    );
    const fn = resource(tf, 'google_cloudfunctions2_function', 'consumer');
    expect(fn.for_each).toBe('${local.functions}');
    expect(fn.name).toBe('${each.key}');
    expect(block(fn, 'build_config').entry_point).toBe('${each.value.target}');

    const sub = resource(tf, 'google_pubsub_subscription', 'push');
    expect(sub.for_each).toBe('${local.functions}');
    // The naming templates reproduce the topology's names for every function.
    for (const f of topology.functions) {
      expect(`${f.name}-push`).toBe(f.subscription.name);
      expect(deadLetterTopicOf(f.subscription.topic)).toBe(f.subscription.deadLetterTopic);
    }
    expect(sub.name).toBe('${each.key}-push');
    expect(resource(tf, 'google_pubsub_topic', 'dead_letter').name).toBe(`\${local.topics[each.value]}-dead-letter`);
    expect(block(sub, 'push_config').push_endpoint).toBe('${google_cloudfunctions2_function.consumer[each.key].service_config[0].uri}');
  });

  it('uses the topology delivery settings', () => {
    const d = tf.locals.delivery as Record<string, unknown>;
    expect(d).toEqual({
      ack_deadline_seconds: DELIVERY_DEFAULTS.ackDeadlineSeconds,
      max_delivery_attempts: DELIVERY_DEFAULTS.maxDeliveryAttempts,
      minimum_backoff: `${DELIVERY_DEFAULTS.minimumBackoffSeconds}s`,
      maximum_backoff: `${DELIVERY_DEFAULTS.maximumBackoffSeconds}s`,
      message_retention: `${DELIVERY_DEFAULTS.messageRetentionSeconds}s`,
    });
    const sub = resource(tf, 'google_pubsub_subscription', 'push');
    expect(sub.ack_deadline_seconds).toBe('${local.delivery.ack_deadline_seconds}');
    expect(block(sub, 'dead_letter_policy').max_delivery_attempts).toBe('${local.delivery.max_delivery_attempts}');
    expect(block(sub, 'retry_policy')).toEqual({ minimum_backoff: '${local.delivery.minimum_backoff}', maximum_backoff: '${local.delivery.maximum_backoff}' });
  });

  it('keeps dead letters in an inspection subscription, as the local stack does', () => {
    expect(topology.deadLetterSubscriptions.map((d) => d.name)).toEqual(
      topology.functions.map((f) => `${f.subscription.deadLetterTopic}-inspect`),
    );
    expect(resource(tf, 'google_pubsub_subscription', 'dead_letter_inspect').name).toBe('${local.topics[each.value]}-dead-letter-inspect');
  });

  it('has a TTL policy for every collection whose documents expire', () => {
    expect(tf.locals.ttl_collections).toEqual(TTL_COLLECTIONS);
    expect(resource(tf, 'google_firestore_field', 'ttl').field).toBe(TTL_FIELD);
  });

  it('runs the same schedules as the local stack', () => {
    expect(tf.locals.schedules).toEqual(Object.fromEntries(SCHEDULES.map((j) => [j.name, { cron: j.cron, topic: snake(j.topic), data: j.data }])));
    const job = resource(tf, 'google_cloud_scheduler_job', 'schedule');
    expect(job.schedule).toBe('${each.value.cron}');
    expect(block(job, 'pubsub_target').topic_name).toBe('${google_pubsub_topic.events[each.value.topic].id}');
  });

  it('declares every exported metric with the kind and value type the exporter writes', () => {
    const descriptors = tf.locals.metric_descriptors as Record<string, { kind: string; value_type: string }>;
    expect(Object.fromEntries(Object.entries(descriptors).map(([k, d]) => [k, { kind: d.kind, valueType: d.value_type }]))).toEqual(
      Object.fromEntries(Object.entries(EXPORT_SHAPES).map(([metric, shape]) => [metric.toLowerCase(), { kind: shape.kind, valueType: shape.valueType }])),
    );
    expect(tf.locals.exported_labels).toEqual([...EXPORTED_LABELS]);
  });

  it('grants the rotator add, disable and destroy on the rotated secrets, and agents access only', () => {
    const roles = (name: string) => resource(tf, 'google_secret_manager_secret_iam_member', name).role;
    expect(roles('rotator_adder')).toBe('roles/secretmanager.secretVersionAdder');
    expect(roles('rotator_manager')).toBe('roles/secretmanager.secretVersionManager');
    expect(roles('agent_accessor')).toBe('roles/secretmanager.secretAccessor');
    expect(resource(tf, 'google_secret_manager_secret_iam_member', 'rotator_adder').member).toBe('serviceAccount:${google_service_account.function["key-rotator"].email}');
    // Secret Manager's own rotation schedule notifies the rotator's topic.
    expect(block(resource(tf, 'google_secret_manager_secret', 'rotated'), 'topics').name).toBe('${google_pubsub_topic.events["key_rotation"].id}');
  });

  it('gives the alert senders the SMTP settings and read access to the SMTP password secret only', () => {
    const senders = topology.functions.filter((f) => f.target === 'alertNotifier' || f.target === 'alertDigest').map((f) => f.name);
    expect(senders).toHaveLength(2);
    expect(tf.locals.alert_senders).toBe(`\${toset(${JSON.stringify(senders)})}`.replace(/","/g, '", "'));
    expect(Object.keys(tf.locals.smtp_env as Record<string, string>).sort()).toEqual(
      ['GOVERNOR_ALERT_EMAIL_FROM', 'GOVERNOR_ALERT_EMAIL_TO', 'SMTP_HOST', 'SMTP_PASSWORD_SECRET', 'SMTP_PORT', 'SMTP_REQUIRE_TLS', 'SMTP_USER'],
    );
    expect(resource(tf, 'google_secret_manager_secret', 'smtp_password').secret_id).toBe('governor-smtp-password');
    const accessor = resource(tf, 'google_secret_manager_secret_iam_member', 'smtp_password_accessor');
    expect(accessor.for_each).toBe('${local.alert_senders}');
    expect(accessor.role).toBe('roles/secretmanager.secretAccessor');
    expect(block(resource(tf, 'google_cloudfunctions2_function', 'consumer'), 'service_config').environment_variables).toContain('local.function_env');
  });
});
