import { runClosedModel } from '../../../shared/loadtest/closed-executor';
import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import type { LoadTarget } from '../../../shared/loadtest/load-target';
import { Recording } from '../../../shared/loadtest/recording';

function countingTarget() {
  let inFlight = 0;
  const stats = { max: 0, sent: [] as number[] };
  const target: LoadTarget = {
    label: 'counting',
    send: async (index) => {
      inFlight += 1;
      stats.max = Math.max(stats.max, inFlight);
      stats.sent.push(index);
      await new Promise((r) => setImmediate(r));
      inFlight -= 1;
      return { ok: true, status: 200 };
    },
    close: async () => undefined,
  };
  return { target, stats };
}

describe('runClosedModel', () => {
  it('keeps at most the stage’s users in flight and stops at the request cap', async () => {
    const { target, stats } = countingTarget();
    const plan = resolveLoadPlan('x', { stages: '3:30s', model: 'closed', maxRequests: 60 });
    const recording = new Recording(1, 1000, 0);
    await runClosedModel(plan, target, recording, { gracefulStopMilliseconds: 100 });
    expect(recording.total.count).toBe(60);
    expect(stats.max).toBe(3);
    expect(new Set(stats.sent).size).toBe(60);
  });

  it('gives each partition its share of users and of the cap, with disjoint request indexes', async () => {
    const plan = resolveLoadPlan('x', { stages: '5:30s', model: 'closed', maxRequests: 41 });
    const runs = await Promise.all(
      [0, 1].map(async (index) => {
        const { target, stats } = countingTarget();
        const recording = new Recording(1, 1000, 0);
        await runClosedModel(plan, target, recording, { partition: { index, count: 2 }, gracefulStopMilliseconds: 100 });
        return { recording, stats };
      }),
    );
    expect(runs.map((r) => r.recording.total.count)).toEqual([20, 21]);
    expect(runs.map((r) => r.stats.max)).toEqual([2, 3]);
    expect(runs[0]!.stats.sent.every((i) => i % 2 === 0)).toBe(true);
    expect(runs[1]!.stats.sent.every((i) => i % 2 === 1)).toBe(true);
  });
});
