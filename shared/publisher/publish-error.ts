/** gRPC status codes worth retrying: the service or network may heal within the retry window. */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  1, // CANCELLED
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}

/** A batch the publisher gave up on; `eventIds` names every event it held. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly topic: string,
    readonly eventIds: readonly string[],
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`publishing ${eventIds.length} event(s) to ${topic} failed after ${attempts} attempt(s): ${String((cause as Error)?.message ?? cause)}`);
  }
}

/** Events refused by a full buffer, or metric samples refused by the series limit. */
export type DropReport =
  | {
      reason: 'buffer-full';
      policy: 'drop-newest' | 'drop-oldest';
      eventIds: readonly string[];
      /** Total drops (events and samples) since the publisher started. */
      droppedTotal: number;
    }
  | {
      reason: 'series-limit';
      /** The series that was refused (metric and labels). */
      series: string;
      samples: number;
      droppedTotal: number;
    };

export class PublisherClosedError extends Error {
  override readonly name = 'PublisherClosedError';
  constructor() {
    super('the publisher is closed; create a new one to emit more events');
  }
}

export class BufferFullError extends Error {
  override readonly name = 'BufferFullError';
  constructor(limit: string) {
    super(`the publisher buffer is full (${limit}); the event was not accepted`);
  }
}
