import { stageRate, type LoadPlan } from './load-plan';

/** One planned request: its global index, intended start (ms from the run's start) and stage. */
export interface Arrival {
  index: number;
  offsetMilliseconds: number;
  stage: number;
}

/** Which share of the schedule a process runs: requests whose index ≡ `index` (mod `count`). */
export interface Partition {
  index: number;
  count: number;
}

export const WHOLE: Partition = { index: 0, count: 1 };

/**
 * The open model's arrivals: a constant rate per stage, request k of a stage intended at
 * `stageStart + k / rate`, whatever the target does. Every worker walks the same global schedule
 * and takes every `count`-th request, so N workers together send exactly what one would.
 */
export class ArrivalSchedule {
  private stage = 0;
  private k = 0;
  private stageStartMilliseconds = 0;
  private nextIndex = 0;
  /** Whether the schedule ended at the plan's request cap rather than at its last stage. */
  capped = false;

  constructor(
    private readonly plan: LoadPlan,
    private readonly partition: Partition = WHOLE,
  ) {}

  /** The next arrival of this partition, or undefined when the schedule (or the request cap) is exhausted. */
  next(): Arrival | undefined {
    for (;;) {
      const arrival = this.advance();
      if (!arrival) return undefined;
      if (arrival.index % this.partition.count === this.partition.index) return arrival;
    }
  }

  private advance(): Arrival | undefined {
    while (this.stage < this.plan.stages.length) {
      if (this.nextIndex >= this.plan.maxRequests) {
        this.capped = true;
        return undefined;
      }
      const s = this.plan.stages[this.stage]!;
      const rate = stageRate(this.plan, s);
      const durationMilliseconds = s.durationSeconds * 1000;
      const at = (this.k * 1000) / rate;
      if (at < durationMilliseconds) {
        this.k += 1;
        return { index: this.nextIndex++, offsetMilliseconds: this.stageStartMilliseconds + at, stage: this.stage };
      }
      this.stage += 1;
      this.k = 0;
      this.stageStartMilliseconds += durationMilliseconds;
    }
    return undefined;
  }
}

/** Requests the whole schedule plans (all partitions), capped by the plan's request cap. */
export function plannedRequests(plan: LoadPlan): number {
  let n = 0;
  for (const s of plan.stages) n += Math.ceil(s.durationSeconds * stageRate(plan, s) - 1e-9);
  return Math.min(n, plan.maxRequests);
}
