import { z } from 'zod';
import { eventIdOf, lastEventIdOf, MAX_SEQ, newSessionPrefix } from '../../../shared/budget/lease-event-ids';

describe('lease event ids', () => {
  describe('eventIdOf', () => {
    it('makes valid ULIDs that sort by sequence within the session range', () => {
      const session = newSessionPrefix(Date.UTC(2026, 11, 3));
      const ids = [0, 1, 31, 32, 1_000, 999_999, MAX_SEQ - 1].map((seq) => eventIdOf(session, seq));
      for (const id of ids) expect(z.ulid().safeParse(id).success).toBe(true);
      expect([...ids].sort()).toEqual(ids);
      expect(ids.every((id) => id >= eventIdOf(session, 0) && id <= lastEventIdOf(session))).toBe(true);
      expect(eventIdOf(newSessionPrefix(), 5) <= lastEventIdOf(session) && eventIdOf(newSessionPrefix(), 5) >= eventIdOf(session, 0)).toBe(false);
    });

    it('refuses a sequence number outside the session', () => {
      expect(() => eventIdOf(newSessionPrefix(), MAX_SEQ)).toThrow(RangeError);
      expect(() => eventIdOf(newSessionPrefix(), -1)).toThrow(RangeError);
    });
  });
});
