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
export function notifierDeps(consumer: string, log: Logger): () => Promise<RouteDeliveryDeps> {
  const deadLetterTopic = deadLetterTopicOf(loadTopology().topics.alerts);
  const routing = cachedConfig(() => loadAlertRouting(firestore()), log, 'alert routing');
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

  return async () => ({ db: firestore(), mailer: lazyMailer, routing: (await routing()).config, now: () => new Date(), log, maxAttempts: DELIVERY_DEFAULTS.maxDeliveryAttempts, deadLetter: deadLetterDelivery });
}
