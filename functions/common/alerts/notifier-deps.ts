import type { Logger } from '../../../shared/logging/logger';
import { SecretCache } from '../../../shared/secrets/secret-cache';
import { secretManagerClient } from '../../../shared/secrets/secret-manager-client';
import type { DeliveryDoc } from '../../../shared/store/alert-deliveries-store';
import { loadAlertRouting } from '../../../shared/store/alert-routing-store';
import { DELIVERY_DEFAULTS, deadLetterTopicOf, loadTopology } from '../../../shared/topology/topology';
import { firestore, pubsub } from '../clients';
import { projectId } from '../settings';
import { cachedConfig } from '../cached-config';
import { deadLetter } from '../dead-letter';
import { Mailer } from './mailer';
import type { RouteDeliveryDeps } from './route-delivery';
import { smtpSettingsFromEnv } from './smtp-settings';

/** Attribute naming the route of an alert that was dead-lettered after its email failed. */
export const ALERT_ROUTE_ATTRIBUTE = 'governorAlertRoute';

/**
 * What the alert notifier and the digest tick share per instance: the mailer (built on first send),
 * the routing config (cached), and the dead-letter publisher.
 */
/** The deps of a delivery, and the version (update time, ms) of the routing they carry. */
export type NotifierDeps = RouteDeliveryDeps & { routingVersion: number };

export function notifierDeps(consumer: string, log: Logger, onRoutingChange?: (changedAt: number) => Promise<void>): () => Promise<NotifierDeps> {
  const deadLetterTopic = deadLetterTopicOf(loadTopology().topics.alerts);
  // `version` is the stored routing's update time: what was routed since then used the old one.
  const routing = cachedConfig(() => loadAlertRouting(firestore()), log, 'alert routing', { onChange: onRoutingChange && (({ version }) => onRoutingChange(version)) });
  let mailer: Mailer | undefined;

  const deadLetterDelivery = (delivery: DeliveryDoc, reason: string) =>
    deadLetter(
      pubsub(),
      deadLetterTopic,
      { data: Buffer.from(JSON.stringify(delivery.alert)), attributes: { [ALERT_ROUTE_ATTRIBUTE]: delivery.routeId }, messageId: delivery.deliveryKey, publishTime: undefined, subscription: undefined },
      { consumer, failure: 'email-undeliverable', reason },
    );

  const realMailer = (): Mailer => {
    if (mailer) return mailer;
    const settings = smtpSettingsFromEnv();
    const secrets = settings.passwordSecret
      ? new SecretCache(secretManagerClient(projectId()), projectId(), { onStale: (secret, err) => log.warn({ secretName: secret, err }, 'Secret Manager unreachable; using the cached SMTP password') })
      : undefined;
    mailer = new Mailer(settings, { secrets });
    return mailer;
  };
  // Bad SMTP settings fail each send like an unreachable server would: retried, then dead-lettered with the reason.
  const lazyMailer: RouteDeliveryDeps['mailer'] = { send: async (email) => realMailer().send(email) };

  return async () => {
    const loaded = await routing();
    return { db: firestore(), mailer: lazyMailer, routing: loaded.config, routingVersion: loaded.version, now: () => new Date(), log, maxAttempts: DELIVERY_DEFAULTS.maxDeliveryAttempts, deadLetter: deadLetterDelivery };
  };
}
