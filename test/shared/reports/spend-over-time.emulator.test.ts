import { Firestore, Timestamp } from '@google-cloud/firestore';
import { COLLECTIONS } from '../../../shared/basics/collections';
import { fleetSpendCurve, type LedgerBucketCache } from '../../../shared/reports/spend-over-time';
import { testProjectId } from '../../support/test-stack';

describe('fleetSpendCurve (the ledger, per UTC day)', () => {
  const db = new Firestore({ projectId: testProjectId() });
  // A period no other test writes: the ledger is shared by the emulator's tests.
  const periodId = '2031-03';
  const windowStart = new Date(Date.UTC(2031, 2, 1));
  const windowEnd = new Date(Date.UTC(2031, 3, 1));
  const now = new Date(Date.UTC(2031, 2, 10, 12));
  const entry = (id: string, recordedAt: number, amountMicros: number) =>
    db.collection(COLLECTIONS.costEvents).doc(`spend-over-time-${id}`).set({ period: periodId, amountMicros, recordedAt: Timestamp.fromMillis(recordedAt) });
  const input = (totalMicros: number) => ({ periodId, windowStart, windowEnd, budgetMicros: 31_000_000, totalMicros, now });
  const pointAt = (curve: Awaited<ReturnType<typeof fleetSpendCurve>>, at: number) => curve.points.find((p) => p.at === at)?.spentMicros;

  beforeAll(async () => {
    await Promise.all([
      // Recorded before the month by an agent whose clock runs ahead: counted in the first day.
      entry('skew', Date.UTC(2031, 1, 28, 23), 500_000),
      entry('a', Date.UTC(2031, 2, 1, 10), 1_000_000),
      entry('b', Date.UTC(2031, 2, 1, 23, 59), 2_000_000),
      entry('c', Date.UTC(2031, 2, 3, 8), 4_000_000),
      // Today: not settled, in the last point through the period's total.
      entry('d', Date.UTC(2031, 2, 10, 11), 8_000_000),
      db.collection(COLLECTIONS.costEvents).doc('spend-over-time-other-period').set({ period: '2031-02', amountMicros: 99_000_000, recordedAt: Timestamp.fromMillis(Date.UTC(2031, 2, 2)) }),
    ]);
  });
  afterAll(() => db.terminate());

  it('is cumulative at each ended day and ends at the exact total, against the pace line', async () => {
    const cache: LedgerBucketCache = new Map();
    const curve = await fleetSpendCurve(db, input(15_500_000), cache);
    expect(curve.points[0]).toEqual({ at: windowStart.getTime(), spentMicros: 0 });
    expect(pointAt(curve, Date.UTC(2031, 2, 2))).toBe(3_500_000);
    expect(pointAt(curve, Date.UTC(2031, 2, 3))).toBe(3_500_000);
    expect(pointAt(curve, Date.UTC(2031, 2, 4))).toBe(7_500_000);
    expect(pointAt(curve, Date.UTC(2031, 2, 10))).toBe(7_500_000);
    expect(curve.points.at(-1)).toEqual({ at: now.getTime(), spentMicros: 15_500_000 });
    expect(curve.pace).toEqual([
      { at: windowStart.getTime(), spentMicros: 0 },
      { at: windowEnd.getTime(), spentMicros: 31_000_000 },
    ]);
    // Nine ended days, each read once.
    expect(cache.size).toBe(9);
  });

  it('serves ended days from the cache: a refresh reads nothing it has read before', async () => {
    const cache: LedgerBucketCache = new Map();
    await fleetSpendCurve(db, input(15_500_000), cache);
    // A document that could not exist (recorded in an ended day, after it ended) shows that the
    // second call did not query that day again.
    await entry('late', Date.UTC(2031, 2, 3, 9), 16_000_000);
    const again = await fleetSpendCurve(db, input(15_500_000), cache);
    expect(pointAt(again, Date.UTC(2031, 2, 4))).toBe(7_500_000);
    const fresh = await fleetSpendCurve(db, input(31_500_000), new Map());
    expect(pointAt(fresh, Date.UTC(2031, 2, 4))).toBe(23_500_000);
    await db.collection(COLLECTIONS.costEvents).doc('spend-over-time-late').delete();
  });
});
