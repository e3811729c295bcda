import type { HttpFunction } from '@google-cloud/functions-framework';
import { categoryOf, deliveryKeyOf, severityOf } from '../../shared/contracts/alert';
import { routesFor } from '../../shared/alerts/alert-routing';
import { createLogger } from '../../shared/logging/logger';
import { notifierDeps } from '../common/alerts/notifier-deps';
import { deliverOnRoute } from '../common/alerts/route-delivery';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { decodeAlert } from './alert-message';

/**
 * Emails each alert to the recipients of every route it matches: at once when the route has been
 * quiet for its digest window, otherwise queued for the route's next email (the digest tick or the
 * next alert sends it). A redelivered alert is never sent twice; a failed send nacks the message.
 */
export function createAlertNotifier(): HttpFunction {
  const log = createLogger({ component: 'alert-notifier' });
  const deps = notifierDeps('alert-notifier', log);

  return pubsubConsumer({
    target: 'alertNotifier',
    decode: decodeAlert,
    async handle(alert, message) {
      const d = await deps();
      const routes = routesFor(d.routing, alert);
      const about = { alertId: alert.alertId, deliveryKey: deliveryKeyOf(alert), kind: alert.kind, severity: severityOf(alert), category: categoryOf(alert), messageId: message.messageId };
      if (routes.length === 0) {
        // The routing config chose not to email this alert; it stays on the alerts topic for other subscribers.
        log.warn(about, 'no alert route matches; not emailed');
        return;
      }
      const failed: string[] = [];
      for (const route of routes) {
        const outcome = await deliverOnRoute(d, route, alert);
        if (outcome.status === 'failed') {
          const given = outcome.deadLetteredKeys.includes(about.deliveryKey);
          log.error({ ...about, routeId: route.id, reason: outcome.reason, deadLetteredKeys: outcome.deadLetteredKeys }, given ? 'alert email failed for the last time; dead-lettered' : 'alert email failed; will retry');
          if (!given) failed.push(`${route.id}: ${outcome.reason}`);
        } else {
          log.info({ ...about, routeId: route.id, ...outcome }, outcome.status === 'sent' ? 'alert emailed' : outcome.status === 'queued' ? 'alert queued for the route digest' : 'alert already emailed');
        }
      }
      // Nack: Pub/Sub redelivers and the failed routes are tried again (the sent ones are not).
      if (failed.length > 0) throw new Error(`alert email failed on ${failed.join('; ')}`);
    },
  });
}
