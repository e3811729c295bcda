import { createHash } from 'node:crypto';

/**
 * Event ids a document has already counted, packed as 64-bit hashes in one bytes field: a
 * redelivered event is recognised without a document per event (collision odds ~1e-15 per
 * document of a few hundred ids).
 */
export const ID_HASH_BYTES = 8;

export function idHash(eventId: string): Buffer {
  return createHash('sha256').update(eventId).digest().subarray(0, ID_HASH_BYTES);
}

/** Whether a packed list of id hashes contains this one. */
export function containsHash(packed: Buffer, hash: Buffer): boolean {
  for (let i = 0; i + ID_HASH_BYTES <= packed.length; i += ID_HASH_BYTES) {
    if (packed.compare(hash, 0, ID_HASH_BYTES, i, i + ID_HASH_BYTES) === 0) return true;
  }
  return false;
}
