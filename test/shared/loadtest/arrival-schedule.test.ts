import { ArrivalSchedule, plannedRequests, type Arrival } from '../../../shared/loadtest/arrival-schedule';
import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';

const all = (s: ArrivalSchedule) => {
  const out: Arrival[] = [];
  for (let a = s.next(); a; a = s.next()) out.push(a);
  return out;
};

describe('ArrivalSchedule', () => {
  it('spaces arrivals at 1/rate within each stage, whatever the target does', () => {
    const plan = resolveLoadPlan('x', { stages: '4:1s,10:0.5s' });
    const arrivals = all(new ArrivalSchedule(plan));
    expect(arrivals.map((a) => a.offsetMilliseconds)).toEqual([0, 250, 500, 750, 1000, 1100, 1200, 1300, 1400]);
    expect(arrivals.map((a) => a.stage)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(plannedRequests(plan)).toBe(9);
  });

  it('splits the schedule into partitions whose union is the whole schedule, each arrival once', () => {
    const plan = resolveLoadPlan('spike', { quickFactor: 0.1 });
    const whole = all(new ArrivalSchedule(plan));
    const parts = [0, 1, 2].flatMap((index) => all(new ArrivalSchedule(plan, { index, count: 3 })));
    expect(parts.sort((a, b) => a.index - b.index)).toEqual(whole);
  });

  it('stops at the request cap and says so', () => {
    const s = new ArrivalSchedule(resolveLoadPlan('baseline', { maxRequests: 7 }));
    expect(all(s)).toHaveLength(7);
    expect(s.capped).toBe(true);
  });
});
