import { performance } from 'node:perf_hooks';
import { ArrivalSchedule, type Arrival } from './arrival-schedule';
import { EXECUTOR_DEFAULTS, type ExecutorOptions } from './executor-options';
import { InFlight } from './in-flight';
import { planDurationMilliseconds, type LoadPlan } from './load-plan';
import { errorKeyOf, type LoadTarget, type Outcome } from './load-target';
import type { Recording } from './recording';

export const UNSENT_ERROR = 'unsent: generator at its in-flight cap';

/**
 * Open model (k6's arrival-rate executors): requests start on the schedule, not when earlier ones
 * finish, so a slow target meets the same arrivals and its slowness shows. Each latency runs from
 * the request's intended start: time spent waiting for a free slot or a late timer counts
 * (no coordinated omission). Arrivals still waiting when the last stage ends are recorded as
 * failed (`unsent`) with the time they had waited so far.
 */
export async function runOpenModel(plan: LoadPlan, target: LoadTarget, recording: Recording, options: ExecutorOptions = {}): Promise<void> {
  const clock = options.clock ?? (() => performance.now());
  const maxInFlight = options.maxInFlight ?? EXECUTOR_DEFAULTS.maxInFlight;
  const t0 = options.startAt ?? clock();
  const plannedEnd = planDurationMilliseconds(plan);
  const schedule = new ArrivalSchedule(plan, options.partition ?? EXECUTOR_DEFAULTS.partition);
  const inFlight = new InFlight();
  let next = schedule.next();
  let timer: NodeJS.Timeout | undefined;
  let done: () => void = () => undefined;
  const dispatching = new Promise<void>((resolve) => (done = resolve));

  const finish = (outcome: Outcome, arrival: Arrival) => {
    const end = clock() - t0;
    recording.record({ stage: arrival.stage, endOffsetMilliseconds: end, latencyMilliseconds: end - arrival.offsetMilliseconds, error: outcome.ok ? undefined : (outcome.error ?? 'failed'), status: outcome.status });
    inFlight.end();
    if (next && inFlight.count === maxInFlight - 1) pump();
  };

  const dispatch = (arrival: Arrival, now: number) => {
    inFlight.begin();
    recording.dispatchLag.add(now - arrival.offsetMilliseconds, false);
    target.send(arrival.index).then(
      (outcome) => finish(outcome, arrival),
      (error: unknown) => finish({ ok: false, error: errorKeyOf(error) }, arrival),
    );
  };

  function pump(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    let now = clock() - t0;
    while (next && next.offsetMilliseconds <= now && inFlight.count < maxInFlight) {
      dispatch(next, now);
      next = schedule.next();
      now = clock() - t0;
    }
    if (!next) return done();
    if (now >= plannedEnd) {
      for (; next; next = schedule.next()) {
        recording.unsent += 1;
        recording.record({ stage: next.stage, endOffsetMilliseconds: now, latencyMilliseconds: now - next.offsetMilliseconds, error: UNSENT_ERROR });
      }
      return done();
    }
    if (inFlight.count >= maxInFlight) {
      // A completion pumps again; the deadline still ends a run whose requests never come back.
      timer = setTimeout(pump, Math.max(1, plannedEnd - now));
      return;
    }
    const wait = next.offsetMilliseconds - now;
    if (wait < 1) setImmediate(pump);
    else timer = setTimeout(pump, Math.floor(wait));
  }

  const delay = t0 - clock();
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  pump();
  await dispatching;
  await settle(target, inFlight, plannedEnd - (clock() - t0), options.gracefulStopMilliseconds ?? EXECUTOR_DEFAULTS.gracefulStopMilliseconds);
  // The rate is measured over the planned duration, or up to the last answer when the cap ended the run early.
  if (!schedule.capped) recording.lastEndOffsetMilliseconds = Math.max(recording.lastEndOffsetMilliseconds, plannedEnd);
  recording.endedAtMilliseconds = Math.max(recording.endedAtMilliseconds, Date.now());
}

/** Waits out the rest of the plan and the graceful stop for in-flight requests, then aborts the rest. */
export async function settle(target: LoadTarget, inFlight: InFlight, remainingMilliseconds: number, gracefulStopMilliseconds: number): Promise<void> {
  const drained = await inFlight.drained(Math.max(0, remainingMilliseconds) + gracefulStopMilliseconds);
  await target.close();
  // Closing fails what was still in flight; wait for those outcomes to be recorded.
  if (!drained) await inFlight.drained(gracefulStopMilliseconds);
}
