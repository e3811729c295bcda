import { Firestore, type DocumentSnapshot, type QuerySnapshot } from '@google-cloud/firestore';
import type { EmitInput } from '../publisher/publisher';
import { GovernorPublisher } from '../publisher/publisher';
import { seriesKeyOf } from '../metrics/series';
import { COLLECTIONS } from '../basics/collections';
import { ID_HASH_BYTES, idHash } from '../store/seen-ids';
import type { LoadTarget, Outcome } from './load-target';

export const PIPELINE_EVENT_TYPES = ['cost', 'metric', 'security'] as const;
export type PipelineEventType = (typeof PIPELINE_EVENT_TYPES)[number];

export interface GovernorTargetOptions {
  projectId: string;
  /** Names this run's events (their `source` and a label), so only its records are watched. */
  runId: string;
  /** Event types sent in turn; default all three. */
  types?: readonly PipelineEventType[];
  /** An event not recorded by then fails as `not recorded (timeout)`. */
  timeoutMilliseconds?: number;
}

export const GOVERNOR_TARGET_DEFAULTS = {
  types: PIPELINE_EVENT_TYPES,
  timeoutMilliseconds: 30_000,
  // Small batches: latency, not publisher throughput, is what is measured.
  batchMilliseconds: 5,
};

/** Metric label keys of the probe series (lower_snake_case, as the schema wants). */
const PROBE_OPERATION = 'governor_loadtest_probe';

interface Waiting {
  resolve: (o: Outcome) => void;
  deadline: number;
  type: PipelineEventType;
}

/**
 * Governor's own pipeline as a target: each request publishes one event through the publisher
 * (cost of $0 so budgets are untouched, one API_CALLS sample, or a subject-less SECRET_ACCESS that
 * no ban counts) and is done when its record appears in Firestore — the ledger entry, the id hash
 * in a minute bucket, the audit entry — as seen by live listeners on this run's records only.
 */
export class GovernorTarget implements LoadTarget {
  readonly label = 'governor pipeline (publish → function → Firestore)';
  private readonly types: readonly PipelineEventType[];
  private readonly timeoutMilliseconds: number;
  private readonly source: string;
  private readonly labels: Record<string, string>;
  private readonly waiting = new Map<string, Waiting>();
  /** Hash (hex) of a pending metric event's id → its id. */
  private readonly metricHashes = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];
  private publisher: GovernorPublisher | undefined;
  private db: Firestore | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: GovernorTargetOptions) {
    this.types = options.types && options.types.length > 0 ? options.types : GOVERNOR_TARGET_DEFAULTS.types;
    this.timeoutMilliseconds = options.timeoutMilliseconds ?? GOVERNOR_TARGET_DEFAULTS.timeoutMilliseconds;
    this.source = `loadtest-${options.runId}`;
    this.labels = { operation: PROBE_OPERATION, loadtest_run: options.runId };
  }

  async open(): Promise<void> {
    const db = (this.db = new Firestore({ projectId: this.options.projectId }));
    this.publisher = new GovernorPublisher({
      projectId: this.options.projectId,
      source: this.source,
      exitHook: false,
      batching: { maxMilliseconds: GOVERNOR_TARGET_DEFAULTS.batchMilliseconds },
      onError: (e) => e.eventIds.forEach((id) => this.settle(id, { ok: false, error: 'publish failed' })),
      onDrop: (d) => ('eventIds' in d ? d.eventIds : []).forEach((id) => this.settle(id, { ok: false, error: 'dropped by the publisher buffer' })),
    });
    const listen = (query: FirebaseFirestore.Query, onSnapshot: (s: QuerySnapshot) => void) =>
      new Promise<void>((ready, fail) => {
        let first = true;
        const stop = query.onSnapshot(
          (snap) => {
            onSnapshot(snap);
            if (first) ready();
            first = false;
          },
          (error) => {
            if (first) fail(new Error(`cannot watch Governor's records (is FIRESTORE_EMULATOR_HOST set and the stack running?): ${error.message}`));
            for (const id of [...this.waiting.keys()]) this.settle(id, { ok: false, error: `listener failed: ${error.message}` });
          },
        );
        this.unsubscribe.push(stop);
      });
    const added = (snap: QuerySnapshot) => snap.docChanges().forEach((c) => c.type === 'added' && this.settle(c.doc.id, { ok: true }));
    await Promise.all([
      this.types.includes('cost') ? listen(db.collection(COLLECTIONS.costEvents).where('source', '==', this.source), added) : undefined,
      this.types.includes('security') ? listen(db.collection(COLLECTIONS.securityAudit).where('source', '==', this.source), added) : undefined,
      this.types.includes('metric')
        ? listen(db.collection(COLLECTIONS.metricBuckets).where('seriesKey', '==', seriesKeyOf('API_CALLS', this.labels)).where('resolution', '==', 'minute'), (snap) =>
            snap.docChanges().forEach((c) => c.type !== 'removed' && this.seenIdsOf(c.doc)),
          )
        : undefined,
    ]);
    this.sweeper = setInterval(() => this.expire(), 250);
    this.sweeper.unref();
  }

  send(index: number): Promise<Outcome> {
    const publisher = this.publisher;
    if (!publisher || this.closed) return Promise.resolve({ ok: false, error: 'target closed' });
    const type = this.types[index % this.types.length]!;
    return new Promise<Outcome>((resolve) => {
      let receipt;
      try {
        receipt = publisher.emit(this.eventOf(type));
      } catch (error) {
        resolve({ ok: false, error: `emit refused: ${(error as Error).message}` });
        return;
      }
      if (!receipt.accepted) return resolve({ ok: false, error: 'dropped by the publisher buffer' });
      this.waiting.set(receipt.eventId, { resolve, deadline: Date.now() + this.timeoutMilliseconds, type });
      if (type === 'metric') this.metricHashes.set(idHash(receipt.eventId).toString('hex'), receipt.eventId);
    });
  }

  private eventOf(type: PipelineEventType): EmitInput {
    const now = new Date().toISOString();
    if (type === 'cost') return { type, payload: { category: 'OTHER', amountMicros: 0, description: 'governor loadtest probe', metadata: { loadtest_run: this.options.runId } } };
    if (type === 'metric') return { type, payload: { metric: 'API_CALLS', labels: this.labels, intervalStart: now, intervalEnd: now, count: 1, sum: 1, min: 1, max: 1 } };
    return { type, payload: { kind: 'SECRET_ACCESS', severity: 'INFO', details: { loadtest_run: this.options.runId } } };
  }

  private seenIdsOf(doc: DocumentSnapshot): void {
    const packed = doc.get('seenIds') as Buffer | undefined;
    if (!packed || this.metricHashes.size === 0) return;
    for (let i = 0; i + ID_HASH_BYTES <= packed.length; i += ID_HASH_BYTES) {
      const id = this.metricHashes.get(packed.subarray(i, i + ID_HASH_BYTES).toString('hex'));
      if (id) this.settle(id, { ok: true });
    }
  }

  private settle(eventId: string, outcome: Outcome): void {
    const w = this.waiting.get(eventId);
    if (!w) return;
    this.waiting.delete(eventId);
    if (w.type === 'metric') this.metricHashes.delete(idHash(eventId).toString('hex'));
    w.resolve(outcome);
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, w] of this.waiting) if (w.deadline <= now) this.settle(id, { ok: false, error: `not recorded (timeout, ${w.type})` });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const id of [...this.waiting.keys()]) this.settle(id, { ok: false, error: 'aborted at end of run' });
    for (const stop of this.unsubscribe) stop();
    await this.publisher?.close();
    await this.db?.terminate();
  }
}
