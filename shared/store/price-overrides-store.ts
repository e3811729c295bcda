import { FieldValue, type Firestore, type QuerySnapshot } from '@google-cloud/firestore';
import { COLLECTIONS } from '../basics/collections';
import { PRICE_TABLE } from '../pricing/price-data';
import { checkNewPrice, parseModelPrice, withEntries } from '../pricing/price-overrides';
import type { ModelPrice, PriceTable } from '../pricing/price-table';

/** The table in force: the built-in one plus every valid stored entry, and why any stored entry was left out. */
export interface LoadedPriceTable {
  table: PriceTable;
  /** Entries added without a redeploy, oldest first. */
  added: ModelPrice[];
  rejected: { id: string; reason: string }[];
}

const docIdOf = (p: Pick<ModelPrice, 'model' | 'effectiveFrom'>) => `${encodeURIComponent(p.model)}@${p.effectiveFrom}`;

/**
 * Reads the stored price entries and joins them to the built-in table one by one: an entry that
 * fails validation (edited by hand, or clashing with a built-in entry of a later release) is left
 * out and named, never allowed to break pricing for every other model.
 */
export async function loadPriceTable(db: Firestore, base: PriceTable = PRICE_TABLE): Promise<LoadedPriceTable> {
  return tableOf(base, await storedEntries(db).get());
}

const storedEntries = (db: Firestore) => db.collection(COLLECTIONS.prices).orderBy('addedAt');

function tableOf(base: PriceTable, snapshot: QuerySnapshot): LoadedPriceTable {
  let table = base;
  const added: ModelPrice[] = [];
  const rejected: LoadedPriceTable['rejected'] = [];
  for (const doc of snapshot.docs) {
    try {
      const entry = parseModelPrice(doc.get('entry'));
      table = withEntries(table, [entry]);
      added.push(entry);
    } catch (error) {
      rejected.push({ id: doc.id, reason: (error as Error).message });
    }
  }
  return { table, added, rejected };
}

/**
 * Adds one price entry, checked against the table in force (history never edited, the 10× rule
 * unless `force`), in a transaction so two operators cannot add clashing entries. Returns the table with it.
 */
export async function addPrice(db: Firestore, value: unknown, options: { now: Date; force?: boolean; actor?: string }): Promise<{ entry: ModelPrice; table: PriceTable }> {
  const entry = parseModelPrice(value);
  const ref = db.collection(COLLECTIONS.prices).doc(docIdOf(entry));
  return db.runTransaction(async (tx) => {
    const { table } = tableOf(PRICE_TABLE, await tx.get(storedEntries(db)));
    checkNewPrice(table, entry, { today: options.now.toISOString().slice(0, 10), force: options.force });
    tx.create(ref, { entry, model: entry.model, effectiveFrom: entry.effectiveFrom, forced: options.force === true, actor: options.actor ?? 'unknown', addedAt: FieldValue.serverTimestamp() });
    return { entry, table: withEntries(table, [entry]) };
  });
}
