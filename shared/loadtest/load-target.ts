/** What one request came to. */
export interface Outcome {
  ok: boolean;
  /** HTTP status, when the target speaks HTTP. */
  status?: number;
  /** Why it failed: `status 503`, `timeout`, an error code. */
  error?: string;
}

/**
 * What a load test drives: an HTTP endpoint, Governor's own pipeline, … `send` resolves when the
 * request is done (answered, recorded) and never rejects — failures are outcomes.
 */
export interface LoadTarget {
  /** Shown in reports: `GET http://127.0.0.1:8080/generate`, `governor pipeline`. */
  readonly label: string;
  /** Connects, warms up, checks the target is reachable; throws with a clear message when it is not. */
  open?(): Promise<void>;
  send(index: number): Promise<Outcome>;
  /** Ends outstanding requests (they resolve as failures) and releases connections. */
  close(): Promise<void>;
}

/** A short, stable error key for grouping: the error's code, else its name, else its message. */
export function errorKeyOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof e.code === 'string' && e.code) return e.code;
    if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
    if (typeof e.message === 'string' && e.message) return e.message.slice(0, 120);
  }
  return String(error).slice(0, 120);
}
