import { randomBytes } from 'node:crypto';

/**
 * Event ids of leased spend: a session prefix (20 characters: the session's start time as a
 * ULID time, then 50 random bits) and a 6-character sequence number, so the whole id is a valid
 * ULID and ids of one session sort by sequence. A crashed agent's recorded spend since a lease
 * began is then one range over the ledger's document ids, starting at `eventIdOf(session, seqFrom)`.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SEQ_CHARS = 6;
/** Sequence numbers per session (32⁶); a session that uses them up starts a new one. */
export const MAX_SEQ = 32 ** SEQ_CHARS;

function encode(value: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** A new session prefix: 10 characters of time (ms), 10 of randomness. */
export function newSessionPrefix(nowMillis: number = Date.now()): string {
  const bytes = randomBytes(10);
  let random = '';
  for (const b of bytes) random += CROCKFORD[b % 32];
  return encode(nowMillis, 10) + random;
}

/** The event id of sequence number `seq` in a session. */
export function eventIdOf(session: string, seq: number): string {
  if (!Number.isInteger(seq) || seq < 0 || seq >= MAX_SEQ) throw new RangeError(`sequence ${seq} is outside 0..${MAX_SEQ - 1}`);
  return session + encode(seq, SEQ_CHARS);
}

/** The last id a session can have: the inclusive end of a lease's ledger range. */
export function lastEventIdOf(session: string): string {
  return session + 'Z'.repeat(SEQ_CHARS);
}
