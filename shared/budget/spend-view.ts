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
export interface ReadTicket {
  issuedAt: number;
  own: ReadonlyMap<BudgetKey, number>;
}

/**
 * One period's spend as one instance sees it, without reading: the last read plus what this
 * instance committed since it was issued. That estimate is never below the spend the read and
 * this instance's commits account for; it misses only what others committed since the read
 * (bounded by the read's age), and it may count an own commit twice when that commit raced the
 * read — an overestimate, which only ever costs an extra read (see evaluation-gate.ts).
 */
export class PeriodSpendView {
  private readonly own = new Map<BudgetKey, number>();
  private readonly keys = new Map<BudgetKey, KeyView>();

  /** Spend this instance committed (call once the commit succeeded, before evaluating it). */
  addOwn(category: CostCategory, amountMicros: number): void {
    for (const key of [category, TOTAL] as const) this.own.set(key, (this.own.get(key) ?? 0) + amountMicros);
  }

  /** Call just before issuing a read of the period's totals. */
  beginRead(now: number): ReadTicket {
    return { issuedAt: now, own: new Map(this.own) };
  }

  /** Records what a read returned; an older read finishing after a newer one is ignored. */
  completeRead(ticket: ReadTicket, totals: Partial<Record<BudgetKey, number>>): void {
    for (const [key, readMicros] of Object.entries(totals) as [BudgetKey, number][]) {
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

  /** Read spend plus own commits since; undefined before the first read of this budget. */
  estimateMicros(key: BudgetKey): number | undefined {
    const view = this.keys.get(key);
    if (!view) return undefined;
    return view.readMicros + (this.own.get(key) ?? 0) - view.ownAtIssue;
  }

  /** When the read behind the estimate was issued (ms), if any. */
  readIssuedAt(key: BudgetKey): number | undefined {
    return this.keys.get(key)?.issuedAt;
  }

  /** Others' spend rate seen between the last two reads (µUSD per ms). */
  foreignRate(key: BudgetKey): number {
    return this.keys.get(key)?.foreignMicrosPerMillisecond ?? 0;
  }
}
