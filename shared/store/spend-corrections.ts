import { FieldValue, Timestamp, type Firestore, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import { COLLECTIONS, TTL_FIELD } from '../basics/collections';
import type { CostEvent } from '../contracts/cost-event';
import { COST_CATEGORIES, type CostCategory } from '../contracts/vocabulary';
import { priceWith } from '../pricing/ai-cost';
import { firstPriceOf } from '../pricing/price-overrides';
import { priceOn, type PriceTable } from '../pricing/price-table';
import { shardRef, SPEND_DEFAULTS } from './spend-shards';
import { Status } from 'google-gax';

export const CORRECTION_DEFAULTS = {
  // Ledger entries read per query while re-pricing (each is then corrected in its own commit).
  pageSize: 200,
} as const;

/** Ledger id of the entry that corrects `eventId`: outside every ULID range (lower-case), so no lease's id range holds it. */
export const correctionIdOf = (eventId: string) => `reprice-${eventId}`;

export interface RepriceResult {
  model: string;
  /** Entries corrected by this run (others may have been corrected by a concurrent run). */
  repriced: number;
  /** Sum of the corrections this run wrote (exact − provisional), micro-USD; usually negative. */
  deltaMicros: number;
  /** Entries still provisional: the model still has no price. */
  unpriced: number;
}

/** The merge-set that adds a correction to one shard: the amount only (events are not counted again). */
function correctionIncrements(periodId: string, shard: number, category: CostCategory, model: string, delta: number): Record<string, unknown> {
  const inc = (n: number) => FieldValue.increment(n);
  return {
    period: periodId,
    shard,
    totalMicros: inc(delta),
    events: inc(0),
    commits: inc(1),
    // Every category field, as commitSpend writes them (aggregation sums need all of them present).
    categories: Object.fromEntries(COST_CATEGORIES.map((c) => [c, inc(c === category ? delta : 0)])),
    models: { [model]: { micros: inc(delta) } },
    updatedAt: FieldValue.serverTimestamp(),
  };
}

/**
 * Re-prices, exactly, every ledger entry charged provisionally for `model` now that the table has
 * a price for it: per entry one atomic commit of a correcting ledger entry (`create()`, so a
 * second run adds nothing), the entry marked exact, and the difference added to a spend shard of
 * its period. Usage is priced on its own day, or at the model's first price when it happened
 * before that price's effectiveFrom. Totals end exact; nothing is edited but the marker fields.
 */
export async function repriceProvisional(db: Firestore, table: PriceTable, model: string, options: { now?: Date; random?: () => number } = {}): Promise<RepriceResult> {
  const now = options.now ?? new Date();
  const random = options.random ?? Math.random;
  const ledger = db.collection(COLLECTIONS.costEvents);
  const result: RepriceResult = { model, repriced: 0, deltaMicros: 0, unpriced: 0 };
  const first = firstPriceOf(table, model);
  if (!first) {
    result.unpriced = (await ledger.where('unpricedModel', '==', model).count().get()).data().count;
    return result;
  }
  let after: QueryDocumentSnapshot | undefined;
  for (;;) {
    let query = ledger.where('unpricedModel', '==', model).orderBy('__name__').limit(CORRECTION_DEFAULTS.pageSize);
    if (after) query = query.startAfter(after);
    const page = await query.get();
    for (const doc of page.docs) {
      const event = JSON.parse(doc.get('event') as string) as CostEvent;
      const usage = event.payload.usage;
      if (!usage) continue;
      const price = priceOn(table, model, new Date(event.occurredAt)) ?? first;
      const exact = priceWith(price, usage).amountMicros;
      const delta = exact - (doc.get('amountMicros') as number);
      const periodId = doc.get('period') as string;
      const category = event.payload.category;
      const shard = Math.floor(random() * SPEND_DEFAULTS.shardCount);
      const batch = db.batch();
      batch.create(ledger.doc(correctionIdOf(event.eventId)), {
        period: periodId,
        category,
        amountMicros: delta,
        source: event.source,
        occurredAt: event.occurredAt,
        corrects: event.eventId,
        pricedWith: `${price.model}@${price.effectiveFrom}`,
        recordedAt: FieldValue.serverTimestamp(),
        [TTL_FIELD]: Timestamp.fromMillis(now.getTime() + SPEND_DEFAULTS.ledgerRetentionDays * 86_400_000),
      });
      batch.update(doc.ref, { provisional: false, unpricedModel: FieldValue.delete(), exactMicros: exact, repricedWith: `${price.model}@${price.effectiveFrom}` });
      batch.set(shardRef(db, periodId, shard), correctionIncrements(periodId, shard, category, usage.model, delta), { merge: true });
      try {
        await batch.commit();
        result.repriced += 1;
        result.deltaMicros += delta;
      } catch (error) {
        // Corrected meanwhile by another run: its commit did all three writes.
        if ((error as { code?: number }).code !== Status.ALREADY_EXISTS) throw error;
      }
    }
    if (page.size < CORRECTION_DEFAULTS.pageSize) return result;
    after = page.docs.at(-1);
  }
}
