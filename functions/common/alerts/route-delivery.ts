import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { AlertRoute, AlertRouting } from '../../../shared/alerts/alert-routing';
import { renderAlertEmail } from '../../../shared/alerts/render-alert';
import type { Alert } from '../../../shared/contracts/alert';
import type { Logger } from '../../../shared/logging/logger';
import { claimDelivery, markDeadLettered, recordFailed, recordSent, type DeliveryDoc } from '../../../shared/store/alert-deliveries-store';
import type { Mailer } from './mailer';

export interface RouteDeliveryDeps {
  db: Firestore;
  mailer: Pick<Mailer, 'send'>;
  routing: AlertRouting;
  now: () => Date;
  log: Logger;
  /** Failed sends after which an alert is dead-lettered instead of tried again. */
  maxAttempts: number;
  /** Publishes an alert that could not be delivered, with why, to the alerts dead-letter topic. */
  deadLetter: (delivery: DeliveryDoc, reason: string) => Promise<void>;
}

export type RouteOutcome =
  | { status: 'duplicate' | 'queued' }
  | { status: 'sent'; alerts: number; messageId: string; tries: number }
  | { status: 'failed'; alerts: number; reason: string; deadLetteredKeys: string[] };

/**
 * Delivers on one route: the given alert (or, from the digest tick, none) and whatever is queued
 * for the route goes out as one email, unless the route emailed within its digest window.
 */
export async function deliverOnRoute(deps: RouteDeliveryDeps, route: AlertRoute, alert: Alert | undefined, options: WindowOptions = {}): Promise<RouteOutcome> {
  const windowMilliseconds = options.ignoreWindow ? 0 : deps.routing.digestWindowSeconds * 1000;
  const decision = await claimDelivery(deps.db, route.id, alert, windowMilliseconds, deps.now().getTime(), options.flushRequestedAt);
  if (decision.action !== 'send') return { status: decision.action };
  const { deliveries } = decision;
  const rendered = renderAlertEmail(
    deliveries.map((d) => d.alert),
    deps.now(),
  );
  const keys = deliveries.map((d) => d.deliveryKey);
  try {
    const result = await deps.mailer.send({
      from: deps.routing.from,
      to: route.to,
      ...rendered,
      messageId: `<${createHash('sha256').update(`${route.id}\n${[...keys].sort().join('\n')}`).digest('hex').slice(0, 32)}@governor>`,
      headers: {
        'X-Governor-Route': route.id,
        'X-Governor-Alert-Ids': keys.join(', '),
        // RFC 3834: no out-of-office replies to a machine.
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      },
    });
    if (result.rejected.length > 0) deps.log.error({ routeId: route.id, rejected: result.rejected, accepted: result.accepted }, 'the SMTP server refused some recipients; the others got the email');
    await recordSent(deps.db, route.id, deliveries, result.messageId, deps.now().getTime());
    return { status: 'sent', alerts: deliveries.length, messageId: result.messageId, tries: result.tries };
  } catch (error) {
    const reason = (error as Error).message;
    const exhausted = await recordFailed(deps.db, route.id, deliveries, reason, decision.previousLastSentAt, deps.maxAttempts);
    await deadLetterDeliveries(deps, exhausted, (d) => `email to route ${route.id} failed ${d.attempts} times; last error: ${reason}`);
    return { status: 'failed', alerts: deliveries.length, reason, deadLetteredKeys: exhausted.map((d) => d.deliveryKey) };
  }
}

/** Puts deliveries on the alerts dead-letter topic with why, then marks them so they are never sent or dead-lettered again. */
export async function deadLetterDeliveries(deps: RouteDeliveryDeps, deliveries: readonly DeliveryDoc[], reasonOf: (delivery: DeliveryDoc) => string): Promise<void> {
  for (const d of deliveries) {
    const reason = reasonOf(d);
    // Marked only once it is on the dead-letter topic: a failed publish leaves it queued, tried again.
    await deps.deadLetter(d, reason);
    await markDeadLettered(deps.db, [d], reason, deps.now().getTime());
  }
}

/**
 * How the digest window applies: `ignoreWindow` not at all; `flushRequestedAt` (an operator's
 * flush, the time it was published) not to a route that has not emailed since.
 */
export interface WindowOptions {
  ignoreWindow?: boolean;
  flushRequestedAt?: number;
}

/** Sends everything queued on a route, in as many emails as it takes (the digest tick). */
export async function flushRoute(deps: RouteDeliveryDeps, route: AlertRoute, options: WindowOptions = {}): Promise<RouteOutcome[]> {
  const outcomes: RouteOutcome[] = [];
  let window = options;
  for (;;) {
    const outcome = await deliverOnRoute(deps, route, undefined, window);
    if (outcome.status !== 'queued' && outcome.status !== 'duplicate') outcomes.push(outcome);
    if (outcome.status !== 'sent') return outcomes;
    // A full email left more behind: send it now rather than a window later.
    window = { ignoreWindow: true };
  }
}
