import type { Reservation } from '../leasing/reservation';
import type { Measurement } from '../metrics/measure';
import type { ResolvedGovernOptions } from './genai-options';
import type { CallUsage } from './usage-from-response';

/**
 * One governed call after it was admitted: its reservation (hard budgets) and its measurement
 * (latency, calls, errors). Ends exactly once: `charge()` with what the service billed, or
 * `release()` when nothing was billed (the request failed).
 */
export class CallCharge {
  private done = false;

  constructor(
    private readonly o: ResolvedGovernOptions,
    private readonly model: string,
    private readonly reservation: Reservation | undefined,
    private readonly measurement: Measurement,
    /** Charged when a successful answer carries no usage: the prompt as estimated. */
    private readonly promptOnly: CallUsage,
    /** The request's hash (never the prompt): the burn-rate breaker counts repeats of it as a loop. */
    private readonly promptHash?: string,
  ) {}

  /** Records the billed usage (a cost event, priced by the functions) and settles the reservation. */
  charge(usage: CallUsage | undefined, succeeded: boolean): void {
    if (this.done) return;
    this.done = true;
    if (succeeded) this.measurement.end();
    else this.measurement.fail();
    if (!usage) this.o.onError(new Error(`${this.model} answered without usageMetadata: charged its estimated prompt`), 'usage');
    const billed = { ...(usage ?? this.promptOnly), ...(this.promptHash ? { promptHash: this.promptHash } : {}) };
    try {
      if (this.reservation) this.reservation.settle(billed);
      else this.o.publisher.recordAiUsage({ model: this.model, category: this.o.category, ...billed });
    } catch (error) {
      // The call was made; failing it now would hide its answer. The reservation is given back
      // (an invalid settle leaves it open) and the failure reported.
      if (this.reservation) this.reservation.release();
      this.o.onError(error, 'recording usage');
    }
  }

  /** The call failed before anything was billed: the reservation returns whole. */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.measurement.fail();
    this.reservation?.release();
  }
}
