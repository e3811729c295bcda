import { resolveLoadPlan } from '../../../shared/loadtest/load-plan';
import type { LoadTarget, Outcome } from '../../../shared/loadtest/load-target';
import { runOpenModel, UNSENT_ERROR } from '../../../shared/loadtest/open-executor';
import { Recording } from '../../../shared/loadtest/recording';

/** A target whose first request hangs until released; the rest answer at once. */
function stallingTarget() {
  let release: (o: Outcome) => void = () => undefined;
  const sent: number[] = [];
  const target: LoadTarget & { sent: number[]; release(o: Outcome): void } = {
    label: 'stalling',
    sent,
    release: (o) => release(o),
    send: (index) => {
      sent.push(index);
      return index === 0 ? new Promise((r) => (release = r)) : Promise.resolve({ ok: true, status: 200 });
    },
    close: async () => release({ ok: false, error: 'aborted at end of run' }),
  };
  return target;
}

describe('runOpenModel', () => {
  it('measures each latency from the intended start, so a stall shows in every request queued behind it', async () => {
    let now = 0;
    const plan = resolveLoadPlan('x', { stages: '10:1s' }); // arrivals at 0, 100, …, 900 ms
    const target = stallingTarget();
    const recording = new Recording(1, 1000, 0);
    const run = runOpenModel(plan, target, recording, { clock: () => now, maxInFlight: 1, gracefulStopMilliseconds: 10 });
    await new Promise((r) => setImmediate(r));
    expect(target.sent).toEqual([0]);
    now = 950; // the target stalled for 950 ms of the (virtual) clock while 9 arrivals came due
    target.release({ ok: true, status: 200 });
    await run;
    expect(target.sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(recording.total.count).toBe(10);
    // 950 for the stalled one, then 850, 750, … 50 for those that waited behind it.
    expect(recording.total.maxMicroseconds).toBe(950_000);
    expect(recording.total.minMicroseconds).toBe(50_000);
    expect(recording.total.sumMicroseconds).toBe((950 + 850 + 750 + 650 + 550 + 450 + 350 + 250 + 150 + 50) * 1000);
    expect(recording.dispatchLag.maxMicroseconds).toBe(850_000);
  });

  it('records arrivals still waiting at the end as unsent failures and aborts what hangs', async () => {
    let now = 0;
    const plan = resolveLoadPlan('x', { stages: '10:1s' });
    const target = stallingTarget();
    const recording = new Recording(1, 1000, 0);
    const run = runOpenModel(plan, target, recording, { clock: () => now, maxInFlight: 1, gracefulStopMilliseconds: 10 });
    await new Promise((r) => setImmediate(r));
    now = 1000;
    await run;
    expect(recording.unsent).toBe(9);
    expect(Object.fromEntries(recording.errors)).toEqual({ [UNSENT_ERROR]: 9, 'aborted at end of run': 1 });
    expect(recording.total).toMatchObject({ count: 10, failures: 10 });
    // The unsent ones had waited from their intended start to the end: 900 ms down to 100 ms.
    expect(recording.total.maxMicroseconds).toBe(1_000_000);
    expect(recording.total.minMicroseconds).toBe(100_000);
  });

  it('sends exactly the planned requests to a target that keeps up, stage by stage', async () => {
    const plan = resolveLoadPlan('x', { stages: '40:0.5s,80:0.25s' });
    const sent: number[] = [];
    const target: LoadTarget = { label: 't', send: async (i) => (sent.push(i), { ok: i % 10 !== 0, status: i % 10 === 0 ? 503 : 200, error: i % 10 === 0 ? 'status 503' : undefined }), close: async () => undefined };
    const recording = new Recording(2, 1000, 0);
    await runOpenModel(plan, target, recording, { gracefulStopMilliseconds: 1000 });
    expect(sent).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(recording.stages.map((s) => s.count)).toEqual([20, 20]);
    expect(recording.errors.get('status 503')).toBe(4);
    expect(recording.unsent).toBe(0);
  });
});
