import {
  availableMicros,
  closeLease,
  EMPTY_SHARD,
  grantLease,
  outstandingMicros,
  reapableLeases,
  reapLease,
  shareOf,
  type GrantRequest,
  type ShardState,
} from '../../../shared/budget/allowance-ledger';

const request = (leaseId: string, minimumMicros: number, desiredMicros: number, expiresAtMillis = 1_000): GrantRequest => ({
  leaseId,
  lease: { expiresAtMillis, agent: 'a', session: 'S', seqFrom: 0 },
  minimumMicros,
  desiredMicros,
  maxShareOfAvailable: 0.5,
});

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('allowance ledger', () => {
  describe('shareOf', () => {
    it('splits a budget into shares that add up to it exactly', () => {
      for (const budget of [0, 1, 7, 10_000_000, 123_456_789]) {
        const shares = Array.from({ length: 8 }, (_, i) => shareOf(budget, 8, i));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(budget);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    });
  });

  describe('grantLease', () => {
    it('grants what is desired when it fits under half of the free allowance', () => {
      const outcome = grantLease(EMPTY_SHARD, 1_000, request('L1', 10, 100));
      expect(outcome).toMatchObject({ granted: true, grantedMicros: 100, availableMicros: 900 });
    });

    it('shrinks a lease to half of what is free, but never below the minimum', () => {
      const state: ShardState = { ...EMPTY_SHARD, spentMicros: 900 };
      expect(grantLease(state, 1_000, request('L1', 10, 500))).toMatchObject({ granted: true, grantedMicros: 50 });
      expect(grantLease(state, 1_000, request('L1', 80, 500))).toMatchObject({ granted: true, grantedMicros: 80 });
    });

    it('refuses when the minimum does not fit, and says what is free', () => {
      const state: ShardState = { ...EMPTY_SHARD, spentMicros: 990 };
      const outcome = grantLease(state, 1_000, request('L1', 11, 11));
      expect(outcome).toMatchObject({ granted: false, availableMicros: 10 });
      expect(outcome.state).toBe(state);
    });
  });

  describe('closeLease', () => {
    it('replaces the grant by what was settled', () => {
      const granted = grantLease(EMPTY_SHARD, 1_000, request('L1', 10, 400)).state;
      const closed = closeLease(granted, 'L1', 123);
      expect(closed).toEqual({ spentMicros: 123, leases: {}, reaped: {} });
      expect(availableMicros(closed, 1_000)).toBe(877);
    });

    it('adds only what a reap did not count when a live agent closes a reaped lease late', () => {
      let state = grantLease(EMPTY_SHARD, 1_000, request('L1', 10, 400)).state;
      state = reapLease(state, 'L1', 100);
      expect(state.spentMicros).toBe(100);
      state = closeLease(state, 'L1', 150);
      expect(state.spentMicros).toBe(150);
      // Closing again (a retried transaction) adds nothing more.
      expect(closeLease(state, 'L1', 150).spentMicros).toBe(150);
    });

    it('charges a lease it never saw in full (a grant whose answer was lost errs high)', () => {
      expect(closeLease(EMPTY_SHARD, 'ghost', 42).spentMicros).toBe(42);
    });
  });

  describe('reapLease', () => {
    it('reaps only leases past expiry plus grace, charging the recorded spend capped at the grant', () => {
      let state = grantLease(EMPTY_SHARD, 1_000, request('old', 10, 200, 1_000)).state;
      state = grantLease(state, 1_000, request('new', 10, 100, 5_000)).state;
      expect(reapableLeases(state, 1_999, 1_000)).toEqual([]);
      expect(reapableLeases(state, 2_000, 1_000)).toEqual(['old']);
      const reaped = reapLease(state, 'old', 70);
      expect(reaped.spentMicros).toBe(70);
      expect(Object.keys(reaped.leases)).toEqual(['new']);
      expect(reapLease(state, 'old', 10_000).spentMicros).toBe(200);
    });
  });

  describe('invariant', () => {
    it('keeps spent + outstanding ≤ share through 20,000 random grants, closes and reaps', () => {
      const random = prng(14);
      const share = 10_000_000;
      let state: ShardState = EMPTY_SHARD;
      const granted = new Map<string, number>();
      let refusals = 0;
      for (let step = 0; step < 20_000; step++) {
        const ids = Object.keys(state.leases);
        const roll = random();
        if (roll < 0.5 || ids.length === 0) {
          const minimum = Math.floor(random() * 50_000);
          const outcome = grantLease(state, share, request(`L${step}`, minimum, Math.floor(random() * 4_000_000), step));
          if (outcome.granted) granted.set(`L${step}`, outcome.grantedMicros);
          else refusals += 1;
          state = outcome.state;
        } else {
          const id = ids[Math.floor(random() * ids.length)]!;
          // Settled and recorded amounts never exceed the grant without an overdraft.
          const spent = Math.floor(random() * (granted.get(id)! + 1));
          state = roll < 0.85 ? closeLease(state, id, spent) : reapLease(state, id, spent);
        }
        expect(state.spentMicros + outstandingMicros(state)).toBeLessThanOrEqual(share);
      }
      // The run reached the limit: grants shrank until minimums stopped fitting.
      expect(granted.size).toBeGreaterThan(40);
      expect(refusals).toBeGreaterThan(1_000);
      expect(availableMicros(state, share)).toBeLessThan(50_000);
    });
  });
});
