import type { Attribution } from '../contracts/attribution';
import type { AiUsage } from '../contracts/cost-event';
import { MAX_EVENT_AMOUNT_MICROS } from '../contracts/cost-event';
import type { CostCategory } from '../contracts/vocabulary';
import { EventValidationError } from '../contracts/validation-error';
import type { LeaseManager } from './lease-manager';
import type { LocalLease } from './local-lease';

/** What a call really used: its usage counts (priced like the functions price them) or an amount. */
export type SettleInput = { amountMicros: number } | Omit<AiUsage, 'model'>;

export interface Settlement {
  /** The cost event's id (leased spend has ids from the agent's session; see budget/lease-event-ids.ts). */
  eventId: string;
  amountMicros: number;
  estimateMicros: number;
  /** Whether the publisher's buffer took the event (see the publisher's overflow policy). */
  accepted: boolean;
}

/** What a reservation needs from its guard: pricing, recording, bookkeeping. */
export interface ReservationHost {
  priceUsage(usage: AiUsage): number;
  record(category: CostCategory, eventId: string | undefined, payload: { amountMicros: number } | { usage: AiUsage }, attribution?: Attribution): { eventId: string; accepted: boolean };
  nextEventId(): string;
  finished(actualMicros: number, estimateMicros: number, leased: boolean): void;
}

/**
 * Allowance held for one call: `settle()` with what it really used (recorded as a cost event,
 * charged to the leases) or `release()` when the call did not happen. Exactly one of them, once.
 */
export class Reservation {
  private done = false;

  constructor(
    private readonly host: ReservationHost,
    readonly category: CostCategory,
    readonly estimateMicros: number,
    /** The model the estimate priced, when it came from one; settle() then takes usage counts. */
    readonly model: string | undefined,
    private readonly leases: readonly (readonly [LeaseManager, LocalLease])[],
    /** The call's own attribution (else the publisher's) on its cost event. */
    readonly attribution?: Attribution,
  ) {}

  /** Records the call's real cost and charges it against the leases; throws on invalid input (the reservation stays open). */
  settle(actual: SettleInput): Settlement {
    this.assertOpen();
    let amountMicros: number;
    let payload: { amountMicros: number } | { usage: AiUsage };
    if ('amountMicros' in actual) {
      amountMicros = actual.amountMicros;
      if (!Number.isInteger(amountMicros) || amountMicros < 0 || amountMicros > MAX_EVENT_AMOUNT_MICROS) {
        throw new EventValidationError([{ path: 'amountMicros', message: `must be an integer number of micro-USD in 0..${MAX_EVENT_AMOUNT_MICROS}, got ${amountMicros}` }]);
      }
      payload = { amountMicros };
    } else {
      if (!this.model) throw new EventValidationError([{ path: 'amountMicros', message: 'this reservation was made with estimateMicros: settle it with { amountMicros }' }]);
      const usage = { model: this.model, ...actual } as AiUsage;
      amountMicros = this.host.priceUsage(usage);
      payload = { usage };
    }
    const leased = this.leases.length > 0;
    // Recorded first: an event the publisher refuses as invalid leaves the reservation open.
    const receipt = this.host.record(this.category, leased ? this.host.nextEventId() : undefined, payload, this.attribution);
    this.done = true;
    for (const [manager, lease] of this.leases) {
      lease.settle(this.estimateMicros, amountMicros);
      manager.afterSettle(lease);
    }
    this.host.finished(amountMicros, this.estimateMicros, leased);
    return { eventId: receipt.eventId, amountMicros, estimateMicros: this.estimateMicros, accepted: receipt.accepted };
  }

  /** Gives the allowance back unspent: the call was not made. */
  release(): void {
    this.assertOpen();
    this.done = true;
    for (const [manager, lease] of this.leases) {
      lease.release(this.estimateMicros);
      manager.afterSettle(lease);
    }
    this.host.finished(0, this.estimateMicros, this.leases.length > 0);
  }

  private assertOpen(): void {
    if (this.done) throw new Error('this reservation is already settled or released');
  }
}
