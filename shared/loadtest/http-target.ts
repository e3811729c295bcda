import { Pool } from 'undici';
import { errorKeyOf, type LoadTarget, type Outcome } from './load-target';

/** One request as a scenario module builds it; fields left out come from the target's options. */
export interface HttpRequestSpec {
  method?: string;
  /** Path and query on the target's origin, e.g. `/generate?n=3`. */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface HttpTargetOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Builds request `index` (a scenario module's `request` export); overrides the fixed request's fields. */
  request?: (index: number) => HttpRequestSpec;
  /** Keep-alive connections to the target (HTTP/1.1, no pipelining). */
  connections?: number;
  /** A request not answered by then fails as `timeout`. */
  timeoutMilliseconds?: number;
  /** Statuses that count as success; default any below 400. */
  okStatuses?: readonly number[];
}

export const HTTP_TARGET_DEFAULTS = {
  method: 'GET',
  // Enough sockets for ~10k req/s at 10 ms; requests beyond wait in the pool, and the wait counts
  // in their latency (measured from the intended start).
  connections: 100,
  timeoutMilliseconds: 10_000,
};

/** An HTTP endpoint driven through one undici connection pool. */
export class HttpTarget implements LoadTarget {
  readonly label: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly method: string;
  private readonly timeoutMilliseconds: number;
  private closed = false;

  constructor(private readonly options: HttpTargetOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`only http(s) URLs can be load-tested, got ${url.protocol}`);
    this.method = (options.method ?? HTTP_TARGET_DEFAULTS.method).toUpperCase();
    this.path = `${url.pathname}${url.search}`;
    this.timeoutMilliseconds = options.timeoutMilliseconds ?? HTTP_TARGET_DEFAULTS.timeoutMilliseconds;
    this.label = `${options.request ? 'scenario' : this.method} ${url.origin}${options.request ? '' : this.path}`;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? HTTP_TARGET_DEFAULTS.connections,
      pipelining: 1,
      headersTimeout: this.timeoutMilliseconds,
      bodyTimeout: this.timeoutMilliseconds,
    });
  }

  async send(index: number): Promise<Outcome> {
    try {
      const spec = this.options.request?.(index);
      const res = await this.pool.request({
        path: spec?.path ?? this.path,
        method: (spec?.method ?? this.method) as 'GET',
        headers: spec?.headers ?? this.options.headers,
        body: spec?.body ?? this.options.body ?? null,
      });
      await res.body.dump();
      const ok = this.options.okStatuses ? this.options.okStatuses.includes(res.statusCode) : res.statusCode < 400;
      return ok ? { ok, status: res.statusCode } : { ok, status: res.statusCode, error: `status ${res.statusCode}` };
    } catch (error) {
      const key = errorKeyOf(error);
      const timeout = key === 'UND_ERR_HEADERS_TIMEOUT' || key === 'UND_ERR_BODY_TIMEOUT';
      return { ok: false, error: timeout ? 'timeout' : this.closed ? 'aborted at end of run' : key };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }
}
