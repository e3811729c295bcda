import type { ReplayCost } from '../../../shared/budget/spend-replay';
import { parseBreakerConfig } from '../../../shared/runaway/breaker-rule';
import { replayBreakers } from '../../../shared/runaway/breaker-replay';

const START = Date.parse('2026-11-10T08:00:00Z');
let seq = 0;
const cost = (at: number, source: string, amountMicros: number, promptHash?: string): ReplayCost => ({
  eventId: `e${String(seq++).padStart(6, '0')}`,
  at: new Date(at),
  source,
  category: 'AI_API_CALLS',
  amountMicros,
  attribution: { team: 'content' },
  usage: { model: 'gemini-2.5-flash', inputTokens: 100, outputTokens: 10, ...(promptHash ? { promptHash } : {}) },
});

/** 20 agents of one team spending ~$0.01 a minute each for `minutes`, one event every 30 s each. */
function steadyFleet(minutes: number): ReplayCost[] {
  const costs: ReplayCost[] = [];
  for (let s = 0; s < minutes * 60; s += 30) for (let a = 0; a < 20; a++) costs.push(cost(START + s * 1000 + a * 100, `writer-${a}`, 4_000 + ((s + a) % 7) * 300));
  return costs;
}

const byTime = (costs: ReplayCost[]) => costs.sort((a, b) => a.at.getTime() - b.at.getTime());

describe('replayBreakers (budget simulate, breaker trips)', () => {
  const rules = (shadow = false) => parseBreakerConfig({ rules: [{ id: 'agent-all', floorMicrosPerMinute: 500_000, multiple: 10, loopRepeats: 20, shadow }] });

  it('never trips on a steady fleet', () => {
    expect(replayBreakers(rules(), steadyFleet(30))).toEqual({ trips: [], paused: { calls: 0, micros: 0 } });
  });

  it('trips a burst once, at the event that makes it, judged against its peers, and counts what the pause would have stopped', () => {
    const burstStart = START + 20 * 60_000;
    // writer-3 goes from ~$0.01 to $0.05 every second ($3/min) for two minutes.
    const burst = Array.from({ length: 120 }, (_, i) => cost(burstStart + i * 1000 + 50, 'writer-3', 50_000));
    const result = replayBreakers(rules(), byTime([...steadyFleet(30), ...burst]));
    expect(result.trips).toHaveLength(1);
    const [trip] = result.trips;
    expect(trip).toMatchObject({ kind: 'trip', rule: 'agent-all', scope: 'agent:writer-3', reason: 'rate', shadow: false });
    // Tripped once the window's rate passed the $0.50/min floor: the 10th burst event (with its steady spend of the minute).
    expect(trip!.at).toBe(new Date(burstStart + 9 * 1000 + 50).toISOString());
    expect(trip!.baselineMicrosPerMinute).toBeGreaterThan(0);
    expect(trip!.rateMicrosPerMinute).toBeGreaterThan(500_000);
    expect(Date.parse(trip!.until) - Date.parse(trip!.at)).toBe(15 * 60_000);
    // The rest of the burst (110 events), and writer-3's steady events in the cool-down, would not have been made.
    expect(result.paused.calls).toBeGreaterThanOrEqual(110);
    expect(result.paused.micros).toBeGreaterThanOrEqual(110 * 50_000);
  });

  it('trips a loop (one prompt repeated past K) even under the floor', () => {
    const loop = Array.from({ length: 30 }, (_, i) => cost(START + 25 * 60_000 + i * 1500, 'writer-7', 2_000, 'ab'.repeat(16)));
    const result = replayBreakers(rules(), byTime([...steadyFleet(30), ...loop]));
    expect(result.trips.map((t) => [t.scope, t.reason])).toEqual([['agent:writer-7', 'loop']]);
  });

  it('records a shadow rule’s trip and stops nothing', () => {
    const burst = Array.from({ length: 60 }, (_, i) => cost(START + 20 * 60_000 + i * 1000 + 50, 'writer-3', 50_000));
    const result = replayBreakers(rules(true), byTime([...steadyFleet(30), ...burst]));
    expect(result.trips).toEqual([expect.objectContaining({ scope: 'agent:writer-3', shadow: true })]);
    expect(result.paused).toEqual({ calls: 0, micros: 0 });
  });
});
