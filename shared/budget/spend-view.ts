import { TOTAL, type BudgetKey } from './budget-config';
import type { CostCategory } from '../contracts/vocabulary';

/** What one instance knows of a budget's spend: the last aggregation read and its own commits since. */
interface KeyView {
  /** Sum of the period's shards as the read returned it. */
  readMicros: number;
  /** When the read was issued (ms): every commit acknowledged before this is in `readMicros`. */
  issuedAt: number;
  /** This instance's own committed spend (cumulative) when the read was issued. */
  ownAtIssue: number;
  /** Spend committed by others (other instances, the billing ingestor) per ms, over the last two reads. */
  foreignMicrosPerMillisecond: number;
}

/** Taken just before a read is issued; completes it once the read returns. */
export interface ReadTicket<K extends string = BudgetKey> {
  issuedAt: number;
  own: ReadonlyMap<K, number>;
}

/**
 * Spend as one instance sees it (per counter: a fleet budget of a month, or a scoped budget
 * instance of a window), without reading: the last read plus what this
 * instance committed since it was issued. That estimate is never below the spend the read and
 * this instance's commits account for; it misses only what others committed since the read
 * (bounded by the read's age), and it may count an own commit twice when that commit raced the
 * read — an overestimate, which only ever costs an extra read (see evaluation-gate.ts).
 */
export class SpendView<K extends string> {
  private readonly own = new Map<K, number>();
  private readonly keys = new Map<K, KeyView>();

  /** Spend this instance committed to counters `keys` (call once the commit succeeded, before evaluating it). */
  addOwnTo(keys: Iterable<K>, amountMicros: number): void {
    for (const key of keys) this.own.set(key, (this.own.get(key) ?? 0) + amountMicros);
  }

  /** Call just before issuing a read of totals. */
  beginRead(now: number): ReadTicket<K> {
    return { issuedAt: now, own: new Map(this.own) };
  }

  /** Records what a read returned; an older read finishing after a newer one is ignored. */
  completeRead(ticket: ReadTicket<K>, totals: Partial<Record<K, number>>): void {
    for (const [key, readMicros] of Object.entries(totals) as [K, number][]) {
      const previous = this.keys.get(key);
      if (previous && previous.issuedAt >= ticket.issuedAt) continue;
      const ownAtIssue = ticket.own.get(key) ?? 0;
      let foreignMicrosPerMillisecond = previous?.foreignMicrosPerMillisecond ?? 0;
      if (previous && ticket.issuedAt > previous.issuedAt) {
        const foreign = readMicros - previous.readMicros - (ownAtIssue - previous.ownAtIssue);
        foreignMicrosPerMillisecond = Math.max(0, foreign) / (ticket.issuedAt - previous.issuedAt);
      }
      this.keys.set(key, { readMicros, issuedAt: ticket.issuedAt, ownAtIssue, foreignMicrosPerMillisecond });
    }
  }

  /** This instance's own committed spend to a counter (cumulative): a lower bound of its total before any read. */
  ownMicros(key: K): number {
    return this.own.get(key) ?? 0;
  }

  /** Read spend plus own commits since; undefined before the first read of this budget. */
  estimateMicros(key: K): number | undefined {
    const view = this.keys.get(key);
    if (!view) return undefined;
    return view.readMicros + (this.own.get(key) ?? 0) - view.ownAtIssue;
  }

  /** When the read behind the estimate was issued (ms), if any. */
  readIssuedAt(key: K): number | undefined {
    return this.keys.get(key)?.issuedAt;
  }

  /** Others' spend rate seen between the last two reads (µUSD per ms). */
  foreignRate(key: K): number {
    return this.keys.get(key)?.foreignMicrosPerMillisecond ?? 0;
  }

  /** Forgets counters no longer needed (ended windows), keeping the view's size bounded. */
  forget(keep: (key: K) => boolean): void {
    for (const key of [...this.keys.keys()]) if (!keep(key)) this.keys.delete(key);
    for (const key of [...this.own.keys()]) if (!keep(key)) this.own.delete(key);
  }
}

/** A month's fleet budgets (a category and the total) as one instance sees them. */
export class PeriodSpendView extends SpendView<BudgetKey> {
  /** Spend this instance committed (call once the commit succeeded, before evaluating it). */
  addOwn(category: CostCategory, amountMicros: number): void {
    this.addOwnTo([category, TOTAL], amountMicros);
  }
}
