import type { HttpFunction } from '@google-cloud/functions-framework';
import { categoryOf, deliveryKeyOf, severityOf } from '../../shared/contracts/alert';
import { routesFor } from '../../shared/alerts/alert-routing';
import { createLogger } from '../../shared/logging/logger';
import { notifierDeps } from '../common/alerts/notifier-deps';
import { deliverOnRoute } from '../common/alerts/route-delivery';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { LRUCache } from 'lru-cache';
import type { Alert } from '../../shared/contracts/alert';
import { decodeAlert } from './alert-message';

/** Alerts routed lately, kept to route again when a routing change crosses them. */
const RECENT_ALERTS = { max: 1_000, ttlMilliseconds: 60_000 } as const;

/**
 * Emails each alert to the recipients of every route it matches: at once when the route has been
 * quiet for its digest window, otherwise queued for the route's next email (the digest tick or the
 * next alert sends it). A redelivered alert is never sent twice; a failed send nacks the message.
 */
export function createAlertNotifier(): HttpFunction {
  const log = createLogger({ component: 'alert-notifier' });
  // `routedUnder`: the version (update time, ms) of the routing the alert was routed by.
  const recent = new LRUCache<string, { alert: Alert; routedAt: number; routedUnder: number }>({ max: RECENT_ALERTS.max, ttl: RECENT_ALERTS.ttlMilliseconds });

  // An alert routed by this instance after the routing was changed went by the old routes (a route
  // added for it was missed): it is routed again under the new ones. A route that already has it
  // answers "already emailed", so nothing is sent twice.
  const rerouteSince = async (changedAt: number): Promise<void> => {
    const d = await deps();
    for (const { alert, routedAt, routedUnder } of recent.values()) {
      // Only what was routed by an older routing after the new one was stored: the rest was
      // routed correctly for its time.
      if (routedUnder >= changedAt || routedAt < changedAt) continue;
      for (const route of routesFor(d.routing, alert)) {
        const outcome = await deliverOnRoute(d, route, alert);
        if (outcome.status === 'failed') log.error({ alertId: alert.alertId, routeId: route.id, reason: outcome.reason }, 'alert routed again under the changed routing; its email failed (the digest tick retries queued ones)');
        else if (outcome.status !== 'duplicate') log.info({ alertId: alert.alertId, routeId: route.id, status: outcome.status }, 'alert routed again under the changed routing');
      }
    }
  };
  const deps = notifierDeps('alert-notifier', log, rerouteSince);

  return pubsubConsumer({
    target: 'alertNotifier',
    decode: decodeAlert,
    async handle(alert, message) {
      const d = await deps();
      recent.set(deliveryKeyOf(alert), { alert, routedAt: Date.now(), routedUnder: d.routingVersion });
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
