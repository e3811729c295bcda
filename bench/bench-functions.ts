/**
 * Baselines for bench/spend, run under functions-framework like the real functions:
 * `noopConsumer` acks and counts (the ceiling of the push path), `naiveSpend` keeps spend the
 * straightforward way — one transaction per event on one budget document (with an idempotency
 * record, so it is as exact as Governor's).
 */
import * as functions from '@google-cloud/functions-framework';
import { FieldValue } from '@google-cloud/firestore';
import { readPushedMessage } from '../functions/common/pubsub-push';
import { firestore } from '../functions/common/clients';
import { decodeEvent } from '../shared/contracts/event';

let received = 0;
functions.http('noopConsumer', (req, res) => {
  if (req.method === 'GET') {
    res.json({ received });
    return;
  }
  readPushedMessage(req.body);
  received += 1;
  res.status(204).end();
});

export const NAIVE_BUDGET_DOC = 'bench_naive_budget/total';

functions.http('naiveSpend', async (req, res) => {
  const event = decodeEvent(readPushedMessage(req.body).data, 'cost');
  const db = firestore();
  const budget = db.doc(NAIVE_BUDGET_DOC);
  const marker = db.collection('bench_naive_events').doc(event.eventId);
  try {
    await db.runTransaction(async (tx) => {
      const [seen, current] = await tx.getAll(marker, budget);
      if (seen?.exists) return;
      const amount = event.payload.amountMicros ?? 0;
      tx.create(marker, { at: FieldValue.serverTimestamp() });
      tx.set(budget, {
        totalMicros: ((current?.get('totalMicros') as number | undefined) ?? 0) + amount,
        events: ((current?.get('events') as number | undefined) ?? 0) + 1,
      });
    });
    res.status(204).end();
  } catch {
    res.status(500).end();
  }
});
