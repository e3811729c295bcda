import { Firestore } from '@google-cloud/firestore';
import { claimDelivery, ALERT_DELIVERY_DEFAULTS, recordFailed, recordSent } from '../../../shared/store/alert-deliveries-store';
import { budgetAlert, securityAlert } from '../../support/alert-fixtures';
import { testProjectId } from '../../support/test-stack';

const MINUTE = 60_000;

describe('alert deliveries store (Firestore emulator)', () => {
  let db: Firestore;
  let route = 0;
  const nextRoute = () => `route-${++route}`;

  beforeAll(() => {
    db = new Firestore({ projectId: testProjectId() });
  });
  afterAll(async () => {
    await db.terminate();
  });

  describe('claimDelivery', () => {
    it('sends a first alert, calls its redelivery a duplicate, and queues the next one within the window', async () => {
      const r = nextRoute();
      const [a, b] = [budgetAlert(), securityAlert()];
      const first = await claimDelivery(db, r, a, MINUTE, 0);
      expect(first).toMatchObject({ action: 'send', previousLastSentAt: undefined });
      if (first.action !== 'send') throw new Error('expected send');
      await recordSent(db, r, first.deliveries, '<m1@x>', 1000);
      expect(await claimDelivery(db, r, a, MINUTE, 2000)).toEqual({ action: 'duplicate' });
      expect(await claimDelivery(db, r, b, MINUTE, 2000)).toEqual({ action: 'queued' });
      // After the window, the queue goes out (with nothing new: the digest tick).
      const digest = await claimDelivery(db, r, undefined, MINUTE, 1000 + MINUTE);
      expect(digest.action === 'send' && digest.deliveries.map((d) => d.alert.alertId)).toEqual([b.alertId]);
    });

    it('queues while another sender holds the route, and sends a crashed sender’s alerts once its lease lapses', async () => {
      const r = nextRoute();
      const [a, b] = [budgetAlert(), securityAlert()];
      const crashed = await claimDelivery(db, r, a, 0, 0);
      expect(crashed.action).toBe('send');
      // The sender never records anything (it crashed); the route stays busy for the lease.
      expect(await claimDelivery(db, r, b, 0, 1000)).toEqual({ action: 'queued' });
      const recovered = await claimDelivery(db, r, undefined, 0, ALERT_DELIVERY_DEFAULTS.leaseMilliseconds + 1);
      expect(recovered.action === 'send' && recovered.deliveries.map((d) => d.alert.alertId).sort()).toEqual([a.alertId, b.alertId].sort());
    });

    it('lets exactly one of many concurrent first alerts on a new route send', async () => {
      const r = nextRoute();
      const decisions = await Promise.all(Array.from({ length: 20 }, () => claimDelivery(db, r, budgetAlert(), MINUTE, 1000)));
      expect(decisions.filter((d) => d.action === 'send')).toHaveLength(1);
      expect(decisions.filter((d) => d.action === 'queued')).toHaveLength(19);
    });

    it('lets exactly one of a burst of claims on an existing route send, each from its own clock reading', async () => {
      // The alert-notifier burst on Node 24 under load: 100 claims, the route already there, with
      // `now` read at slightly different moments by each; three digests once went out in one window.
      const r = nextRoute();
      const first = await claimDelivery(db, r, budgetAlert(), 0, 0);
      if (first.action !== 'send') throw new Error('expected send');
      await recordSent(db, r, first.deliveries, '<m0@x>', 0);
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => claimDelivery(db, r, budgetAlert(), MINUTE, MINUTE + i)));
      expect(decisions.filter((d) => d.action === 'send')).toHaveLength(1);
      expect(decisions.filter((d) => d.action === 'queued')).toHaveLength(99);
    });

    it('lets a flush close the window only of a route that has not emailed since the flush was asked for', async () => {
      const r = nextRoute();
      const first = await claimDelivery(db, r, budgetAlert(), MINUTE, 0);
      if (first.action !== 'send') throw new Error('expected send');
      await recordSent(db, r, first.deliveries, '<m1@x>', 1000);
      const waiting = budgetAlert();
      expect(await claimDelivery(db, r, waiting, MINUTE, 2000)).toEqual({ action: 'queued' });
      // A flush asked before the last email (a redelivered flush tick): the window still holds.
      expect(await claimDelivery(db, r, undefined, MINUTE, 3000, 500)).toEqual({ action: 'queued' });
      // A flush asked after it sends what is queued at once.
      const flushed = await claimDelivery(db, r, undefined, MINUTE, 3000, 2500);
      expect(flushed.action === 'send' && flushed.deliveries.map((d) => d.alert.alertId)).toEqual([waiting.alertId]);
    });

    it('caps one email at maxAlertsPerEmail alerts, oldest first', async () => {
      const r = nextRoute();
      const held = await claimDelivery(db, r, securityAlert(), MINUTE, 0);
      if (held.action !== 'send') throw new Error('expected send');
      await recordSent(db, r, held.deliveries, '<m@x>', 0);
      const queued = Array.from({ length: ALERT_DELIVERY_DEFAULTS.maxAlertsPerEmail + 5 }, () => budgetAlert());
      for (const [i, alert] of queued.entries()) await claimDelivery(db, r, alert, MINUTE, i + 1);
      const digest = await claimDelivery(db, r, undefined, MINUTE, 2 * MINUTE);
      expect(digest.action === 'send' && digest.deliveries.map((d) => d.alert.alertId)).toEqual(queued.slice(0, ALERT_DELIVERY_DEFAULTS.maxAlertsPerEmail).map((a) => a.alertId));
    });
  });

  describe('recordFailed', () => {
    it('requeues with one more attempt, restores the window, and returns what is out of attempts', async () => {
      const r = nextRoute();
      const a = budgetAlert();
      let exhausted: unknown[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        const claim = await claimDelivery(db, r, a, MINUTE, attempt);
        if (claim.action !== 'send') throw new Error(`attempt ${attempt}: expected send, got ${claim.action}`);
        expect(claim.deliveries[0]?.attempts).toBe(attempt - 1);
        exhausted = await recordFailed(db, r, claim.deliveries, 'ECONNREFUSED', claim.previousLastSentAt, 3);
      }
      expect(exhausted).toMatchObject([{ deliveryKey: a.alertId, attempts: 3, lastError: 'ECONNREFUSED' }]);
    });
  });
});
