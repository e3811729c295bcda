import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../../shared/logging/logger';
import { orphanedDeliveries } from '../../shared/store/alert-deliveries-store';
import { notifierDeps } from '../common/alerts/notifier-deps';
import { deadLetterDeliveries, flushRoute } from '../common/alerts/route-delivery';
import { pubsubConsumer } from '../common/pubsub-consumer';
import { decodeDigestTick } from './digest-tick';

/**
 * Runs once a minute (Cloud Scheduler → governor-alert-ticks; locally the stack's scheduler): every
 * route whose digest window has passed gets one email listing the alerts queued for it. A failed
 * send keeps them queued for the next tick (and dead-letters those out of attempts), so one bad
 * route never holds back the others; the tick itself is acked.
 */
export function createAlertDigest(): HttpFunction {
  const log = createLogger({ component: 'alert-digest' });
  const deps = notifierDeps('alert-digest', log);

  return pubsubConsumer({
    target: 'alertDigest',
    decode: decodeDigestTick,
    async handle(tick, message) {
      const d = await deps();
      // A flush closes the window only of routes that have not emailed since it was asked for: a
      // redelivered flush tick must not send a second email within a window.
      const window = tick.flush ? { flushRequestedAt: message.publishTime ? Date.parse(message.publishTime) : d.now().getTime() } : {};
      let emails = 0;
      let alerts = 0;
      let failures = 0;
      for (const route of d.routing.routes) {
        for (const outcome of await flushRoute(d, route, window)) {
          if (outcome.status === 'sent') {
            emails += 1;
            alerts += outcome.alerts;
          } else if (outcome.status === 'failed') {
            failures += 1;
            log.error({ routeId: route.id, reason: outcome.reason, alerts: outcome.alerts, deadLetteredKeys: outcome.deadLetteredKeys }, 'digest email failed; its alerts stay queued for the next tick');
          }
        }
      }
      // A route removed from the config leaves its queue behind: nothing would ever send it.
      const orphans = await orphanedDeliveries(d.db, d.routing.routes.map((r) => r.id));
      await deadLetterDeliveries(d, orphans, (orphan) => `route ${orphan.routeId} is no longer in the alert routing config`);
      log.info({ emails, alerts, failures, orphansDeadLettered: orphans.length, flush: tick.flush }, 'alert digest tick');
    },
  });
}
