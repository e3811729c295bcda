import { FieldValue, Timestamp, type Firestore } from '@google-cloud/firestore';
import type { CostEvent } from '../../shared/contracts/cost-event';
import { COLLECTIONS, TTL_FIELD } from '../../shared/store/collections';

const ALREADY_EXISTS = 6;

/** Ledger entries outlive Pub/Sub's 7-day redelivery window by a wide margin, then expire by TTL. */
export const LEDGER_RETENTION_DAYS = 400;

/**
 * Writes the event under its own id with `create()`: the first delivery creates it, every
 * redelivery finds it and is a no-op. Returns whether this call recorded it.
 */
export async function recordCostEvent(db: Firestore, event: CostEvent, messageId: string, now: Date): Promise<boolean> {
  try {
    await db
      .collection(COLLECTIONS.costEvents)
      .doc(event.eventId)
      .create({
        ...event,
        messageId,
        recordedAt: FieldValue.serverTimestamp(),
        [TTL_FIELD]: Timestamp.fromMillis(now.getTime() + LEDGER_RETENTION_DAYS * 86_400_000),
      });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === ALREADY_EXISTS) return false;
    throw error;
  }
}
