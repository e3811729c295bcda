/** What one aggregator instance adds to one (scope instance, minute) between two flushes. */
export interface MinuteIncrement {
  instance: string;
  /** Start of the minute (ms since the epoch). */
  minute: number;
  /** The agent's team, when the instance is an agent: peers' baselines are per team. */
  team?: string;
  micros: number;
  events: number;
  models: Record<string, number>;
  /** Calls per `<model>|<prompt hash>`: only pairs seen more than once in the flush (a loop's sign), at most 10. */
  calls: Record<string, number>;
}

/** Repeated prompts kept per increment: enough to name a loop, bounded so a document stays small. */
const MAX_CALL_KEYS = 10;

/**
 * Spend per (scope instance, minute) committed since the last flush: taken out and written as one
 * increment per document every few seconds, so one agent at 200 events/s makes one write per flush
 * and aggregator instance — never a hot document, and nothing on the ack path.
 */
export class MinuteTally {
  private pending = new Map<string, MinuteIncrement & { allCalls: Map<string, number> }>();

  add(instance: string, atMs: number, micros: number, call?: { model: string; promptHash?: string }, team?: string): void {
    const minute = Math.floor(atMs / 60_000) * 60_000;
    const key = `${instance}|${minute}`;
    let inc = this.pending.get(key);
    if (!inc) this.pending.set(key, (inc = { instance, minute, ...(team ? { team } : {}), micros: 0, events: 0, models: {}, calls: {}, allCalls: new Map() }));
    inc.micros += micros;
    inc.events += 1;
    if (!call) return;
    inc.models[call.model] = (inc.models[call.model] ?? 0) + micros;
    if (call.promptHash) {
      const k = `${call.model}|${call.promptHash}`;
      inc.allCalls.set(k, (inc.allCalls.get(k) ?? 0) + 1);
    }
  }

  /** Minutes already written for (`<instance>|<minute>`): the rest of such a minute is written whatever its size. */
  private readonly started = new Set<string>();

  /**
   * Takes what is worth a write (swap-and-drain: adds during a write go to the next one): a minute
   * whose spend reached `recordFrom(instance)` micro-USD, or that repeats a prompt, or whose first
   * part was written. A minute that ended below that is dropped — no rule can trip on it, and
   * most minutes of most agents are such — and one still under way waits.
   */
  drain(now: number, recordFrom: (instance: string) => number = () => 0): MinuteIncrement[] {
    const taken: (MinuteIncrement & { allCalls: Map<string, number> })[] = [];
    for (const [key, inc] of this.pending) {
      const worth = this.started.has(key) || inc.micros >= recordFrom(inc.instance) || [...inc.allCalls.values()].some((n) => n > 1);
      const ended = inc.minute + 60_000 <= now;
      if (worth) {
        taken.push(inc);
        this.pending.delete(key);
        if (!ended) this.started.add(key);
      } else if (ended) this.pending.delete(key);
    }
    for (const key of this.started) if (Number(key.slice(key.lastIndexOf('|') + 1)) + 60_000 <= now) this.started.delete(key);
    return taken.map(({ allCalls, ...inc }) => ({
      ...inc,
      calls: Object.fromEntries(
        [...allCalls]
          .filter(([, n]) => n > 1)
          .sort((a, b) => b[1] - a[1])
          .slice(0, MAX_CALL_KEYS),
      ),
    }));
  }

  /** Puts increments back after a failed write, so the next flush carries them. */
  restore(increments: readonly MinuteIncrement[]): void {
    for (const inc of increments) {
      const key = `${inc.instance}|${inc.minute}`;
      const into = this.pending.get(key);
      if (!into) {
        this.pending.set(key, { ...inc, allCalls: new Map(Object.entries(inc.calls)) });
        continue;
      }
      into.micros += inc.micros;
      into.events += inc.events;
      for (const [m, v] of Object.entries(inc.models)) into.models[m] = (into.models[m] ?? 0) + v;
      for (const [k, v] of Object.entries(inc.calls)) into.allCalls.set(k, (into.allCalls.get(k) ?? 0) + v);
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
