import type { grpc } from 'google-gax';
import type { Logger } from '../../shared/logging/logger';

/**
 * Makes outages of Firestore and Pub/Sub visible. The clients retry transient failures and wait
 * out a stalled backend silently, so a function under an outage logs nothing until calls give up
 * — often never, as Pub/Sub redelivers. This watches every gRPC call of a client (installed as
 * grpc-js's call-invocation transformer, see `callWatchClientOptions`) and logs, per operation
 * (`Firestore/Commit`, `Publisher/Publish`, …): one WARNING per interval while calls run longer
 * than the bound or fail with a transient status, with the duration; one INFO when a call
 * succeeds within the bound again, with how long the trouble lasted. A short episode inside the
 * quiet interval after a warning gets no line of its own: its calls are counted into the next one.
 */

export interface CallWatchOptions {
  /** A call still running after this long is slow (ms). */
  slowMilliseconds?: number;
  /** At most one WARNING per operation per this interval; the calls in between are counted into the next (ms). */
  warningIntervalMilliseconds?: number;
}

export const CALL_WATCH_DEFAULTS = {
  // Firestore commits and Pub/Sub publishes take tens of milliseconds; seconds mean the backend is in trouble.
  slowMilliseconds: 5_000,
  // One line a minute per operation and instance: visible, without a line per stuck call.
  warningIntervalMilliseconds: 60_000,
} as const;

// gRPC status codes that say "the backend is unwell" rather than "the request was wrong":
// UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE. ABORTED (transaction
// contention) and CANCELLED (the caller gave up) are part of normal operation.
const TRANSIENT_CODES: ReadonlySet<number> = new Set([2, 4, 8, 13, 14]);

interface OperationHealth {
  /** When this operation was first seen slow or failing in the current episode (ms, clock). */
  troubledSince: number | undefined;
  lastWarningAt: number | undefined;
  /** Whether the current episode has had its WARNING (then its end gets an INFO). */
  warned: boolean;
  /** Calls not yet reported in a line. */
  slowCalls: number;
  failedCalls: number;
  longestMilliseconds: number;
  lastCode: number | undefined;
}

export class CallWatch {
  private readonly slowMilliseconds: number;
  private readonly warningIntervalMilliseconds: number;
  private readonly operations = new Map<string, OperationHealth>();

  constructor(
    private readonly log: Logger,
    options: CallWatchOptions = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.slowMilliseconds = options.slowMilliseconds ?? CALL_WATCH_DEFAULTS.slowMilliseconds;
    this.warningIntervalMilliseconds = options.warningIntervalMilliseconds ?? CALL_WATCH_DEFAULTS.warningIntervalMilliseconds;
    if (!(this.slowMilliseconds > 0 && this.warningIntervalMilliseconds > 0)) throw new Error('CallWatch: slowMilliseconds and warningIntervalMilliseconds must be positive');
  }

  /** The transformer grpc-js calls as each call starts: times it until its status arrives. */
  readonly transformer: grpc.CallInvocationTransformer = (call) => {
    const { path, requestStream, responseStream } = call.methodDefinition;
    // Listen, Write and StreamingPull stay open on purpose: their length says nothing.
    if (requestStream && responseStream) return call;
    const operation = path.split('/').slice(-2).join('/').replace(/^.*\./, '');
    const started = this.now();
    const slowTimer = setTimeout(() => this.noteTrouble(operation, this.now() - started, undefined, 'slow'), this.slowMilliseconds);
    slowTimer.unref();
    call.call.once('status', (status: grpc.StatusObject) => {
      clearTimeout(slowTimer);
      this.finished(operation, this.now() - started, status.code);
    });
    return call;
  };

  private health(operation: string): OperationHealth {
    let health = this.operations.get(operation);
    if (!health) {
      health = { troubledSince: undefined, lastWarningAt: undefined, warned: false, slowCalls: 0, failedCalls: 0, longestMilliseconds: 0, lastCode: undefined };
      this.operations.set(operation, health);
    }
    return health;
  }

  private finished(operation: string, milliseconds: number, code: number): void {
    if (TRANSIENT_CODES.has(code)) return this.noteTrouble(operation, milliseconds, code, 'failed');
    const health = this.operations.get(operation);
    // A slow success is still trouble (its timer counted it); a prompt answer ends the episode.
    if (health?.troubledSince === undefined || milliseconds >= this.slowMilliseconds) return;
    if (health.warned) {
      this.log.info(
        { operation, milliseconds: Math.round(milliseconds), troubleMilliseconds: Math.round(this.now() - health.troubledSince), slowCalls: health.slowCalls, failedCalls: health.failedCalls },
        `${operation} calls answer again`,
      );
      this.resetCounts(health);
    }
    health.troubledSince = undefined;
    health.warned = false;
  }

  private resetCounts(health: OperationHealth): void {
    health.slowCalls = 0;
    health.failedCalls = 0;
    health.longestMilliseconds = 0;
    health.lastCode = undefined;
  }

  private noteTrouble(operation: string, milliseconds: number, code: number | undefined, kind: 'slow' | 'failed'): void {
    const health = this.health(operation);
    const at = this.now();
    health.troubledSince ??= at - milliseconds;
    if (kind === 'slow') health.slowCalls += 1;
    else health.failedCalls += 1;
    health.longestMilliseconds = Math.max(health.longestMilliseconds, milliseconds);
    if (code !== undefined) health.lastCode = code;
    if (health.lastWarningAt !== undefined && at - health.lastWarningAt < this.warningIntervalMilliseconds) return;
    this.log.warn(
      {
        operation,
        milliseconds: Math.round(health.longestMilliseconds),
        slowCalls: health.slowCalls,
        failedCalls: health.failedCalls,
        ...(health.lastCode !== undefined ? { code: health.lastCode } : {}),
        boundMilliseconds: this.slowMilliseconds,
      },
      `${operation} calls are ${kind === 'slow' ? `taking over ${this.slowMilliseconds} ms` : 'failing'}`,
    );
    health.lastWarningAt = at;
    health.warned = true;
    this.resetCounts(health);
  }
}

/** Client options that install the watch on a Firestore or PubSub client (google-gax hands `grpc.*` options to grpc-js). */
export function callWatchClientOptions(watch: CallWatch): { 'grpc.callInvocationTransformer': grpc.CallInvocationTransformer } {
  return { 'grpc.callInvocationTransformer': watch.transformer };
}
