import type { NextFunction, Request, Response } from 'express';
import type { HelmetOptions } from 'helmet';
import type { z } from 'zod';
import { sendPublished, type PublishedContentOptions } from '../cache/http-cache';
import { apiKeyIdSchema, type SecurityEventInput } from '../contracts/security-event';
import type { SecurityEventKind } from '../contracts/vocabulary';
import type { BanCache } from './ban-cache';
import { subjectsOf } from './ban-policy';
import type { RateLimits } from './rate-limits';
import { validateRequest, type Violation } from './request-schemas';
import { securityHeaders } from './security-headers';

/** What the guard needs to know about a request. */
export interface GuardRequest {
  ip?: string;
  userId?: string;
  apiKeyId?: string;
  body?: unknown;
}

export type GuardDecision<T> =
  | { allowed: true; value: T | undefined; headers: Record<string, string> }
  | {
      allowed: false;
      status: 400 | 403 | 429;
      body: { error: 'banned' | 'rate_limited' | 'invalid_input'; message: string; retryAfterSeconds?: number; violations?: Violation[] };
      headers: Record<string, string>;
    };

/** Where security events go (a GovernorPublisher). */
export interface SecurityEventSink {
  recordSecurityEvent(input: SecurityEventInput): unknown;
}

export interface RequestGuardOptions<T> {
  /** Emits a security event for every rejection (except of banned subjects: they are already known). */
  events?: SecurityEventSink;
  bans?: BanCache;
  rateLimits?: RateLimits;
  /** Validates the request body (structure and injection detectors). */
  schema?: z.ZodType<T>;
  /** Middleware form: who the caller is (after your authentication). */
  identify?: (req: Request) => { userId?: string; apiKeyId?: string };
  /** Middleware form: take the client IP from the first X-Forwarded-For hop (behind a trusted proxy). */
  trustProxy?: boolean;
  helmet?: Readonly<HelmetOptions>;
  /** Told when emitting an event fails (the request is still answered). */
  onError?: (error: unknown) => void;
}

/**
 * The guard for an agent's HTTP endpoint: banned IP or user → 403 (answered from the live ban
 * listener, no read per request); over a rate limit → 429 with Retry-After; invalid body → 400
 * naming field and rule; security headers on every answer. Each rejection becomes a security
 * event, which is what the security monitor bans on.
 */
export class RequestGuard<T = unknown> {
  private readonly headers: Record<string, string>;

  constructor(private readonly options: RequestGuardOptions<T> = {}) {
    this.headers = securityHeaders(options.helmet);
  }

  /** The plain-function form: decide about a request described by its parts. */
  async check(request: GuardRequest): Promise<GuardDecision<T>> {
    for (const subject of subjectsOf(request)) {
      const ban = this.options.bans?.status(subject);
      if (ban?.banned) {
        const retryAfterSeconds = Math.max(1, Math.ceil(((ban.until?.getTime() ?? Date.now()) - Date.now()) / 1000));
        return this.reject(403, { error: 'banned', message: `${subject.type} ${subject.value} is banned`, retryAfterSeconds });
      }
    }
    if (this.options.rateLimits) {
      const decision = await this.options.rateLimits.consume({ ip: request.ip, user: request.userId, apiKey: request.apiKeyId });
      if (!decision.allowed) {
        this.emit('RATE_LIMIT_EXCEEDED', request, { dimension: decision.dimension ?? 'unknown', retryAfterSeconds: decision.retryAfterSeconds ?? 1 });
        return this.reject(429, { error: 'rate_limited', message: `rate limit per ${decision.dimension} exceeded`, retryAfterSeconds: decision.retryAfterSeconds });
      }
    }
    let value: T | undefined;
    if (this.options.schema) {
      const result = validateRequest(this.options.schema, request.body);
      if (!result.ok) {
        this.emit('INVALID_INPUT', request, { rules: [...new Set(result.violations.map((v) => v.rule))].join(','), fields: result.violations.map((v) => v.field).join(',') });
        return this.reject(400, { error: 'invalid_input', message: 'the request was refused', violations: result.violations });
      }
      value = result.value;
    }
    return { allowed: true, value, headers: { ...this.headers } };
  }

  /**
   * The Express / functions-framework form. The validated body is on `res.locals.governor.value`;
   * `res.locals.governor.sendPublished(body, { tags, maxAgeSeconds })` answers with caching headers and conditional GET.
   */
  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const identity = this.options.identify?.(req) ?? {};
      this.check({ ip: clientIp(req, this.options.trustProxy ?? false), ...identity, body: req.body })
        .then((decision) => {
          res.set(decision.headers);
          if (!decision.allowed) {
            res.status(decision.status).json(decision.body);
            return;
          }
          // sendPublished: L3 caching headers (Cache-Control, ETag, Surrogate-Key) and 304 on a matching If-None-Match.
          res.locals.governor = { value: decision.value, sendPublished: (body: unknown, options?: PublishedContentOptions) => sendPublished(req, res, body, options) };
          next();
        })
        .catch(next);
    };
  }

  private reject(status: 400 | 403 | 429, body: Extract<GuardDecision<T>, { allowed: false }>['body']): GuardDecision<T> {
    const headers = { ...this.headers, ...(body.retryAfterSeconds ? { 'Retry-After': String(body.retryAfterSeconds) } : {}) };
    return { allowed: false, status, body, headers };
  }

  private emit(kind: SecurityEventKind, request: GuardRequest, details: Record<string, string | number>): void {
    if (!this.options.events) return;
    try {
      this.options.events.recordSecurityEvent({
        kind,
        severity: 'WARNING',
        ...(request.ip ? { ip: request.ip } : {}),
        ...(request.userId ? { userId: request.userId } : {}),
        // An id that is not a public key id (a pasted key, say) is left out, never recorded.
        ...(request.apiKeyId && apiKeyIdSchema.safeParse(request.apiKeyId).success ? { apiKeyId: request.apiKeyId } : {}),
        details,
      });
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

/** The client's IP: the socket peer, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientIp(req: Request, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
  const ip = forwarded || req.socket?.remoteAddress || undefined;
  return ip?.replace(/^::ffff:/, '');
}

export function createRequestGuard<T = unknown>(options: RequestGuardOptions<T> = {}): RequestGuard<T> {
  return new RequestGuard(options);
}
