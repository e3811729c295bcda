import { performance } from 'node:perf_hooks';
import { EXECUTOR_DEFAULTS, shareOf, type ExecutorOptions } from './executor-options';
import { InFlight } from './in-flight';
import { planDurationMilliseconds, type LoadPlan } from './load-plan';
import { errorKeyOf, type LoadTarget, type Outcome } from './load-target';
import type { Recording } from './recording';
import { settle } from './open-executor';

/**
 * Closed model: each stage runs `users` virtual users, each sending its next request when the
 * previous one is answered (plus think time). Latency runs from the moment a user starts its
 * request; a slow target slows the users down, so this measures service time under a fixed
 * concurrency — the open model is the one that exposes queueing.
 */
export async function runClosedModel(plan: LoadPlan, target: LoadTarget, recording: Recording, options: ExecutorOptions = {}): Promise<void> {
  const clock = options.clock ?? (() => performance.now());
  const partition = options.partition ?? EXECUTOR_DEFAULTS.partition;
  const thinkTime = options.thinkTimeMilliseconds ?? EXECUTOR_DEFAULTS.thinkTimeMilliseconds;
  const t0 = options.startAt ?? clock();
  const plannedEnd = planDurationMilliseconds(plan);
  const cap = shareOf(plan.maxRequests, partition);
  const stageEnds: number[] = [];
  plan.stages.reduce((t, s) => (stageEnds.push(t + s.durationSeconds * 1000), t + s.durationSeconds * 1000), 0);
  const inFlight = new InFlight();
  let sent = 0;
  const active = new Set<number>();
  const loops: Promise<void>[] = [];

  const stageAt = (offset: number) => {
    const i = stageEnds.findIndex((end) => offset < end);
    return i === -1 ? -1 : i;
  };
  const usersAt = (stage: number) => (stage < 0 ? 0 : shareOf(plan.stages[stage]!.users, partition));

  const user = async (id: number) => {
    for (;;) {
      const start = clock() - t0;
      const stage = stageAt(start);
      if (stage < 0 || id >= usersAt(stage) || sent >= cap) break;
      const index = sent++ * partition.count + partition.index;
      inFlight.begin();
      let outcome: Outcome;
      try {
        outcome = await target.send(index);
      } catch (error) {
        outcome = { ok: false, error: errorKeyOf(error) };
      }
      const end = clock() - t0;
      recording.record({ stage, endOffsetMilliseconds: end, latencyMilliseconds: end - start, error: outcome.ok ? undefined : (outcome.error ?? 'failed'), status: outcome.status });
      inFlight.end();
      if (thinkTime > 0) await new Promise((r) => setTimeout(r, thinkTime));
    }
    active.delete(id);
  };

  const delay = t0 - clock();
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  // At each stage start, add the users it needs beyond those already running.
  for (let stage = 0; stage < plan.stages.length; stage++) {
    const wanted = usersAt(stage);
    for (let id = 0; id < wanted; id++) {
      if (active.has(id)) continue;
      active.add(id);
      loops.push(user(id));
    }
    const wait = stageEnds[stage]! - (clock() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await settle(target, inFlight, plannedEnd - (clock() - t0), options.gracefulStopMilliseconds ?? EXECUTOR_DEFAULTS.gracefulStopMilliseconds);
  await Promise.all(loops);
  if (sent < cap) recording.lastEndOffsetMilliseconds = Math.max(recording.lastEndOffsetMilliseconds, plannedEnd);
  recording.endedAtMilliseconds = Math.max(recording.endedAtMilliseconds, Date.now());
}
