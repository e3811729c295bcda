/** One call that a loop check counts: its model and the hash of its prompt. */
export interface CallKey {
  model: string;
  promptHash: string;
}

/** What a scope instance spent in a window, as one aggregator instance saw it. */
export interface WindowReading {
  micros: number;
  events: number;
  /** The (model, prompt hash) repeated most in the loop window, if any call carried a hash. */
  topCall?: CallKey & { calls: number };
  /** Spend per model in the window, highest first (the alert names the top ones). */
  models: { model: string; micros: number; calls: number }[];
  /** The most repeated prompt hashes in the loop window, highest first. */
  prompts: (CallKey & { calls: number })[];
}

interface Slot {
  micros: number;
  events: number;
  calls: Map<string, number>;
  models: Map<string, { micros: number; calls: number }>;
}

const SEPARATOR = '\u0000';

/**
 * Spend per scope instance in one-second slots over the last `horizonSeconds`, kept in memory by
 * each spend-aggregator instance from the events it committed (duplicates excluded, so redelivery
 * adds nothing). No I/O: the breaker's fast path reads this on a timer, never per event.
 */
export class BurnWindow {
  private readonly slots = new Map<string, Map<number, Slot>>();

  constructor(private readonly horizonSeconds: number) {}

  /** Adds one committed cost at `atMs` (its occurrence time: a replayed backlog spreads out, it is no burst). */
  add(instance: string, atMs: number, micros: number, call?: { model: string; promptHash?: string }): void {
    const second = Math.floor(atMs / 1000);
    let ofInstance = this.slots.get(instance);
    if (!ofInstance) this.slots.set(instance, (ofInstance = new Map()));
    let slot = ofInstance.get(second);
    if (!slot) ofInstance.set(second, (slot = { micros: 0, events: 0, calls: new Map(), models: new Map() }));
    slot.micros += micros;
    slot.events += 1;
    if (!call) return;
    const m = slot.models.get(call.model) ?? { micros: 0, calls: 0 };
    m.micros += micros;
    m.calls += 1;
    slot.models.set(call.model, m);
    if (call.promptHash) {
      const key = `${call.model}${SEPARATOR}${call.promptHash}`;
      slot.calls.set(key, (slot.calls.get(key) ?? 0) + 1);
    }
  }

  /** Spend in the last `windowSeconds` and calls in the last `loopWindowSeconds` before `nowMs`. */
  read(instance: string, windowSeconds: number, loopWindowSeconds: number, nowMs: number): WindowReading {
    const now = Math.floor(nowMs / 1000);
    const reading: WindowReading = { micros: 0, events: 0, models: [], prompts: [] };
    const models = new Map<string, { micros: number; calls: number }>();
    const calls = new Map<string, number>();
    for (const [second, slot] of this.slots.get(instance) ?? []) {
      if (second > now) continue;
      if (second > now - windowSeconds) {
        reading.micros += slot.micros;
        reading.events += slot.events;
        for (const [model, m] of slot.models) {
          const into = models.get(model) ?? { micros: 0, calls: 0 };
          into.micros += m.micros;
          into.calls += m.calls;
          models.set(model, into);
        }
      }
      if (second > now - loopWindowSeconds) for (const [key, n] of slot.calls) calls.set(key, (calls.get(key) ?? 0) + n);
    }
    reading.models = [...models].map(([model, m]) => ({ model, ...m })).sort((a, b) => b.micros - a.micros);
    reading.prompts = [...calls]
      .map(([key, n]) => {
        const [model, promptHash] = key.split(SEPARATOR) as [string, string];
        return { model, promptHash, calls: n };
      })
      .sort((a, b) => b.calls - a.calls);
    if (reading.prompts[0]) reading.topCall = reading.prompts[0];
    return reading;
  }

  /** The scope instances with spend in the horizon. */
  instances(): string[] {
    return [...this.slots.keys()];
  }

  /** Forgets an instance's spend (after a trip: the next trip needs a new runaway window). */
  clear(instance: string): void {
    this.slots.delete(instance);
  }

  /** Drops slots older than the horizon, and instances left without any: memory stays bounded by active scopes. */
  prune(nowMs: number): void {
    const oldest = Math.floor(nowMs / 1000) - this.horizonSeconds;
    for (const [instance, ofInstance] of this.slots) {
      for (const second of ofInstance.keys()) if (second <= oldest) ofInstance.delete(second);
      if (ofInstance.size === 0) this.slots.delete(instance);
    }
  }
}
