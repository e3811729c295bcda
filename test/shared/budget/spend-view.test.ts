import { PeriodSpendView } from '../../../shared/budget/spend-view';

describe('PeriodSpendView', () => {
  describe('estimateMicros', () => {
    it('is unknown before the first read, then the read plus own commits since it was issued', () => {
      const view = new PeriodSpendView();
      view.addOwn('COMPUTE', 500);
      expect(view.estimateMicros('COMPUTE')).toBeUndefined();
      const ticket = view.beginRead(1_000);
      view.completeRead(ticket, { COMPUTE: 10_500, TOTAL: 20_500 });
      expect(view.estimateMicros('COMPUTE')).toBe(10_500);
      view.addOwn('COMPUTE', 300);
      view.addOwn('STORAGE', 7);
      expect(view.estimateMicros('COMPUTE')).toBe(10_800);
      expect(view.estimateMicros('TOTAL')).toBe(20_807);
      expect(view.readIssuedAt('COMPUTE')).toBe(1_000);
    });

    it('counts an own commit that raced the read twice (an overestimate), never zero times', () => {
      const view = new PeriodSpendView();
      const ticket = view.beginRead(1_000);
      // Acknowledged after the read was issued, so the read may or may not contain it: it does here.
      view.addOwn('OTHER', 100);
      view.completeRead(ticket, { OTHER: 100 });
      expect(view.estimateMicros('OTHER')).toBe(200);
    });

    it('ignores a read that finishes after a newer one', () => {
      const view = new PeriodSpendView();
      const older = view.beginRead(1_000);
      const newer = view.beginRead(2_000);
      view.completeRead(newer, { TOTAL: 900 });
      view.completeRead(older, { TOTAL: 100 });
      expect(view.estimateMicros('TOTAL')).toBe(900);
      expect(view.readIssuedAt('TOTAL')).toBe(2_000);
    });
  });

  describe('foreignRate', () => {
    it("is others' growth between two reads per ms, own commits taken out", () => {
      const view = new PeriodSpendView();
      view.completeRead(view.beginRead(1_000), { TOTAL: 1_000 });
      view.addOwn('NETWORK', 400);
      // 1,000 → 3,400 in 200 ms, 400 of it own: 2,000 µUSD from others = 10 per ms.
      view.completeRead(view.beginRead(1_200), { TOTAL: 3_400 });
      expect(view.foreignRate('TOTAL')).toBe(10);
      expect(view.foreignRate('NETWORK')).toBe(0);
    });

    it('is never negative when own commits raced a read', () => {
      const view = new PeriodSpendView();
      const first = view.beginRead(1_000);
      view.addOwn('OTHER', 50);
      view.completeRead(first, { TOTAL: 50 });
      view.completeRead(view.beginRead(1_100), { TOTAL: 50 });
      expect(view.foreignRate('TOTAL')).toBe(0);
    });
  });
});
