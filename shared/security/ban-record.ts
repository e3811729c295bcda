import type { Timestamp } from '@google-cloud/firestore';
import type { BanDecision, Subject } from './ban-policy';

/** A ban document: the active ban (until `expiresAt`) and the history escalation reads. */
export interface BanRecord {
  subjectType: Subject['type'];
  subject: string;
  /** When the current (or last) ban ends; a ban is active while this is in the future. */
  expiresAt: Timestamp;
  bannedAt: Timestamp;
  level: BanDecision['level'];
  offense: number;
  reason: string;
  /** Start times (ms) of earlier bans, for escalation and the recidive jail. */
  history: number[];
  liftedAt?: Timestamp;
  liftedBy?: string;
  /** Events from the subject dropped unprocessed while it was banned. */
  suppressedEvents?: number;
}
