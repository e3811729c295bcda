/** Firestore collection names, in one place so functions, CLI and tests agree. */
export const COLLECTIONS = {
  /** One document per cost event id: the idempotency record and the ledger entry. */
  costEvents: 'governor_cost_events',
} as const;

/** Field holding the time a document may be deleted by a Firestore TTL policy. */
export const TTL_FIELD = 'expireAt';

/** Collections whose documents expire by Firestore TTL on `expireAt` (infra/firestore.tf agrees). */
export const TTL_COLLECTIONS: readonly string[] = [COLLECTIONS.costEvents];
