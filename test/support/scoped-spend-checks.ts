import type { Firestore } from '@google-cloud/firestore';
import { COST_CATEGORIES } from '../../shared/contracts/vocabulary';
import { COLLECTIONS } from '../../shared/basics/collections';
import { readScopeTotals } from '../../shared/store/scope-spend';
import { readSpendTotals } from '../../shared/store/spend-shards';
import { expectedAlertIds, expectedFleetTotals, expectedScopeCounters, type PublishedCost } from './scoped-spend-scenario';
import type { probeAlerts } from './spend-helpers';
import { waitFor } from './test-stack';

/** What probeAlerts collects from the alerts topic. */
export type AlertProbe = Awaited<ReturnType<typeof probeAlerts>>;

/** How long a late duplicate (a redelivery, a second publication) would take to show. */
const SETTLE_MILLISECONDS = 2_000;

/** Ids of the events in the ledger (every period): what was counted. */
export async function ledgerIds(db: Firestore): Promise<Set<string>> {
  const snapshot = await db.collection(COLLECTIONS.costEvents).select().get();
  return new Set(snapshot.docs.map((d) => d.id));
}

/**
 * Waits until every cost is in the ledger (or, with `deadLettered`, dead-lettered instead);
 * resolves with the counted ones. `whileMissing` runs between polls while some are missing.
 */
export async function waitForLedger(
  db: Firestore,
  costs: readonly PublishedCost[],
  timeoutMilliseconds: number,
  deadLettered: () => ReadonlySet<string> = () => new Set(),
  whileMissing: () => Promise<void> = async () => undefined,
): Promise<PublishedCost[]> {
  let polls = 0;
  const uncounted = async () => {
    if (polls++ > 0) await whileMissing();
    const ids = await ledgerIds(db);
    const dead = deadLettered();
    return { counted: costs.filter((c) => ids.has(c.eventId)), missing: costs.filter((c) => !ids.has(c.eventId) && !dead.has(c.eventId)).map((c) => c.eventId) };
  };
  const { counted } = await waitFor(uncounted, (r) => r.missing.length === 0, timeoutMilliseconds, `${costs.length} events counted (the missing ones listed)`);
  return counted;
}

/**
 * Every scoped counter holds exactly the sum of the counted costs that fall under it — read as
 * the spend path reads it (readScopeTotals) — and no other counter exists (nothing counted under
 * a scope it does not belong to); each counter's shards count its events once.
 */
export async function expectScopeTotalsExact(db: Firestore, counted: readonly PublishedCost[]): Promise<void> {
  const expected = expectedScopeCounters(counted);
  const { totals } = await readScopeTotals(db, [...expected.keys()]);
  expect(totals).toEqual(Object.fromEntries([...expected].map(([key, c]) => [key, c.spentMicros])));
  const shards = await db.collection(COLLECTIONS.scopeSpend).select('counter', 'events').get();
  const events = new Map<string, number>();
  for (const doc of shards.docs) events.set(doc.get('counter') as string, (events.get(doc.get('counter') as string) ?? 0) + (doc.get('events') as number));
  const expectedEvents = new Map<string, number>();
  for (const cost of counted) {
    for (const [key] of expectedScopeCounters([cost])) expectedEvents.set(key, (expectedEvents.get(key) ?? 0) + 1);
  }
  expect(Object.fromEntries([...events].sort())).toEqual(Object.fromEntries([...expectedEvents].sort()));
}

/** The fleet's monthly totals, per category and in total, are the sums of the counted costs. */
export async function expectFleetTotalsExact(db: Firestore, counted: readonly PublishedCost[]): Promise<void> {
  for (const [periodId, totals] of expectedFleetTotals(counted)) {
    const expected = Object.fromEntries([...COST_CATEGORIES, 'TOTAL'].map((k) => [k, totals[k] ?? 0]));
    expect(await readSpendTotals(db, periodId)).toEqual(expected);
  }
}

/**
 * Each alert the final totals call for (scoped and fleet) was raised once and published once —
 * stored once with `published: true`, and seen once on the alerts topic — and no other alert was.
 */
export async function expectAlertsRaisedOnce(db: Firestore, probe: AlertProbe, counted: readonly PublishedCost[], timeoutMilliseconds = 30_000): Promise<void> {
  const expected = expectedAlertIds(counted);
  await waitFor(async () => expected.filter((id) => !probe.counts.has(id)), (missing) => missing.length === 0, timeoutMilliseconds, `${expected.length} alerts published (missing listed)`);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MILLISECONDS));
  expect(Object.fromEntries([...probe.counts].sort())).toEqual(Object.fromEntries(expected.map((id) => [id, 1])));
  const stored = await db.collection(COLLECTIONS.budgetAlerts).get();
  expect(stored.docs.map((d) => d.id).sort()).toEqual(expected);
  expect(stored.docs.filter((d) => d.get('published') !== true).map((d) => d.id)).toEqual([]);
}

/** All three checks, in the order a failure is easiest to read. */
export async function expectScopedExactness(db: Firestore, probe: AlertProbe, counted: readonly PublishedCost[], alertTimeoutMilliseconds?: number): Promise<void> {
  await expectScopeTotalsExact(db, counted);
  await expectFleetTotalsExact(db, counted);
  await expectAlertsRaisedOnce(db, probe, counted, alertTimeoutMilliseconds);
}
