import type { AlertRouting } from '../../../shared/alerts/alert-routing';
import type { Logger } from '../../../shared/logging/logger';
import { SecretCache } from '../../../shared/secrets/secret-cache';
import { secretManagerClient } from '../../../shared/secrets/secret-manager-client';
import type { DeliveryDoc } from '../../../shared/store/alert-deliveries-store';
import { loadAlertRouting } from '../../../shared/store/alert-routing-store';
import { DELIVERY_DEFAULTS, deadLetterTopicOf, loadTopology } from '../../../shared/topology/topology';
import { firestore, projectId, pubsub } from '../clients';
import { configCacheMilliseconds } from '../config-cache-ttl';
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
  const cacheMilliseconds = configCacheMilliseconds();
  const deadLetterTopic = deadLetterTopicOf(loadTopology().topics.alerts);
  let mailer: Mailer | undefined;
  let routing: { value: AlertRouting; at: number } | undefined;
  let lastRejection: string | undefined;

  const currentRouting = async (): Promise<AlertRouting> => {
    if (routing && Date.now() - routing.at < cacheMilliseconds) return routing.value;
    const loaded = await loadAlertRouting(firestore());
    if (loaded.rejected && loaded.rejected !== lastRejection) log.error({ reason: loaded.rejected, using: loaded.origin }, 'stored alert routing is invalid; the last good routing stays in force');
    lastRejection = loaded.rejected;
    routing = { value: loaded.config, at: Date.now() };
    return loaded.config;
  };

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

  return async () => ({ db: firestore(), mailer: lazyMailer, routing: await currentRouting(), now: () => new Date(), log, maxAttempts: DELIVERY_DEFAULTS.maxDeliveryAttempts, deadLetter: deadLetterDelivery });
}
