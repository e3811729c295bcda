import type { Firestore } from '@google-cloud/firestore';
import type { ReplayCost } from '../budget/spend-replay';
import type { CostEvent } from '../contracts/cost-event';
import { COLLECTIONS } from '../basics/collections';

/** Slack on each side of the range query: `occurredAt` is stored as the agent wrote it, offsets and all. */
const OFFSET_SLACK_MILLISECONDS = 26 * 3_600_000;

/**
 * The recorded costs that occurred in [from, to), in time order (ties by event id), read from the
 * spend ledger: each entry's amount as recorded (priced server-side) and its event's source,
 * attribution and usage. Streams the query; the costs are sorted in memory, so a range holds as
 * many costs as memory does (a month of a 10k-agent fleet: replay it a week at a time).
 */
export async function readLedgerCosts(db: Firestore, from: Date, to: Date): Promise<ReplayCost[]> {
  const query = db
    .collection(COLLECTIONS.costEvents)
    .where('occurredAt', '>=', new Date(from.getTime() - OFFSET_SLACK_MILLISECONDS).toISOString())
    .where('occurredAt', '<', new Date(to.getTime() + OFFSET_SLACK_MILLISECONDS).toISOString())
    .select('amountMicros', 'event');
  const costs: ReplayCost[] = [];
  for await (const doc of query.stream() as AsyncIterable<FirebaseFirestore.QueryDocumentSnapshot>) {
    const event = JSON.parse(doc.get('event') as string) as CostEvent;
    const at = new Date(event.occurredAt);
    if (at < from || at >= to) continue;
    costs.push({
      eventId: event.eventId,
      at,
      source: event.source,
      category: event.payload.category,
      amountMicros: doc.get('amountMicros') as number,
      ...(event.payload.attribution ? { attribution: event.payload.attribution } : {}),
      ...(event.payload.usage ? { usage: event.payload.usage } : {}),
    });
  }
  return costs.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}
