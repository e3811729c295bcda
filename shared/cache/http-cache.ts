import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { DEFAULT_NAMESPACES } from './cache-options';
import { checkTags } from './cache-entry';

export interface PublishedContentOptions {
  /** Browser and CDN lifetime (default: the `published` namespace's, 1 year). 0 → revalidate every time. */
  maxAgeSeconds?: number;
  /** CDN lifetime when it should differ from the browser's. */
  sMaxAgeSeconds?: number;
  /** Purge handles for the CDN (`Surrogate-Key`, `Cache-Tag`); the same tags invalidate the cache's tiers. */
  tags?: readonly string[];
  /** Content that never changes at this URL (versioned assets): adds `immutable`. */
  immutable?: boolean;
  /** Only the caller's browser may keep it (no CDN): `private`. */
  private?: boolean;
  /** Content-Type for string or Buffer bodies (objects are sent as JSON). */
  contentType?: string;
}

/** The L3 headers of published content: Cache-Control, and the tags as Surrogate-Key / Cache-Tag. */
export function publishedContentHeaders(options: PublishedContentOptions = {}): Record<string, string> {
  const maxAge = options.maxAgeSeconds ?? DEFAULT_NAMESPACES.published!.httpMaxAgeSeconds;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new RangeError(`maxAgeSeconds must be a non-negative integer, got ${maxAge}`);
  const directives = [options.private ? 'private' : 'public', maxAge === 0 ? 'no-cache' : `max-age=${maxAge}`];
  if (!options.private && options.sMaxAgeSeconds !== undefined) directives.push(`s-maxage=${options.sMaxAgeSeconds}`);
  if (options.immutable && maxAge > 0) directives.push('immutable');
  const headers: Record<string, string> = { 'Cache-Control': directives.join(', ') };
  const tags = checkTags(options.tags ?? []);
  if (tags.length && !options.private) {
    // Fastly/Varnish style (space-separated) and the Cache-Tag form (comma-separated) other CDNs read.
    headers['Surrogate-Key'] = tags.join(' ');
    headers['Cache-Tag'] = tags.join(',');
  }
  return headers;
}

/** A strong ETag of the bytes sent. */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 If-None-Match: `*`, or any listed tag equal to ours under weak comparison. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}

function bytesOf(body: unknown, contentType: string | undefined): { bytes: Buffer; type: string } {
  if (Buffer.isBuffer(body)) return { bytes: body, type: contentType ?? 'application/octet-stream' };
  if (typeof body === 'string') return { bytes: Buffer.from(body), type: contentType ?? 'text/html; charset=utf-8' };
  return { bytes: Buffer.from(JSON.stringify(body)), type: 'application/json; charset=utf-8' };
}

/**
 * Sends published content with its caching headers and ETag; a GET/HEAD whose If-None-Match
 * matches gets 304 with no body (what a browser or CDN revalidating asks for).
 */
export function sendPublished(req: Request, res: Response, body: unknown, options: PublishedContentOptions = {}): void {
  const { bytes, type } = bytesOf(body, options.contentType);
  const etag = etagOf(bytes);
  res.set({ ...publishedContentHeaders(options), ETag: etag, Vary: 'Accept-Encoding' });
  const conditional = req.method === 'GET' || req.method === 'HEAD';
  if (conditional && ifNoneMatchHits(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type(type).send(bytes);
}
