import type { Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from '../basics/collections';
import { subjectKey, type Subject } from './ban-policy';
import type { BanRecord } from './ban-record';

export interface BanStatus {
  banned: boolean;
  /** When the ban ends (a banned subject may retry after it). */
  until?: Date;
  reason?: string;
}

/**
 * Active bans in memory, kept current by one live listener on the bans collection (small: one
 * document per offender), so a ban check costs no Firestore read. Ban documents outlive their
 * bans for escalation history; a ban is active while `expiresAt` is in the future.
 */
export class BanCache {
  private bans = new Map<string, { until: number; reason: string }>();
  private unsubscribe: (() => void) | undefined;
  private readonly first: Promise<void>;
  private resolveFirst!: () => void;
  private lastError: Error | undefined;

  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
  ) {
    this.first = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  /** Starts listening; resolves on the first snapshot (or after `timeoutMilliseconds`). */
  async start(timeoutMilliseconds = 10_000): Promise<this> {
    this.unsubscribe ??= this.db.collection(COLLECTIONS.bans).onSnapshot(
      (snapshot) => {
        const next = new Map<string, { until: number; reason: string }>();
        for (const doc of snapshot.docs) {
          const ban = doc.data() as BanRecord;
          next.set(doc.id, { until: ban.expiresAt.toMillis(), reason: ban.reason });
        }
        this.bans = next;
        this.lastError = undefined;
        this.resolveFirst();
      },
      (error) => {
        // Bans already known stay in force; new ones are missed until the listener is back.
        this.lastError = error;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.first, new Promise<void>((r) => (timer = setTimeout(r, timeoutMilliseconds)))]);
    clearTimeout(timer);
    return this;
  }

  status(subject: Subject): BanStatus {
    const ban = this.bans.get(subjectKey(subject));
    if (!ban || ban.until <= this.now()) return { banned: false };
    return { banned: true, until: new Date(ban.until), reason: ban.reason };
  }

  /** Records a ban this process made itself, before the listener reports it. */
  remember(subject: Subject, until: Date, reason: string): void {
    this.bans.set(subjectKey(subject), { until: until.getTime(), reason });
  }

  /** The listener's last error, if it is failing now. */
  get error(): Error | undefined {
    return this.lastError;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
