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
 * Spend per (scope instance, minute) committed since the last flush: swapped out and written as
 * one increment per document every few seconds, so one agent at 200 events/s makes one write per
 * flush and aggregator instance — never a hot document, and nothing on the ack path.
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

  /** Takes everything added since the last drain (swap-and-drain: adds during a write go to the next one). */
  drain(): MinuteIncrement[] {
    const taken = this.pending;
    this.pending = new Map();
    return [...taken.values()].map(({ allCalls, ...inc }) => ({
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
