import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Name of the cookie holding the token; the page repeats it in the `x-csrf-token` header. */
export const CSRF_COOKIE = 'governor_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Shortest secret accepted from GOVERNOR_DASHBOARD_CSRF_SECRET (bytes of UTF-8). */
const MIN_SECRET_BYTES = 32;

export class CsrfSecretError extends Error {
  override readonly name = 'CsrfSecretError';
}

/**
 * Signed double-submit CSRF tokens: `<nonce>.<HMAC-SHA256(secret, nonce)>`, base64url. The token
 * sits in an HttpOnly SameSite=Strict cookie and in the page; a state-changing POST must send it
 * back in a header, so another site can neither read it nor make the browser send it. The HMAC
 * means a token planted by a sibling subdomain (which can set cookies but not sign) is refused.
 */
export class CsrfTokens {
  private readonly secret: Buffer;

  /** `secret` from the environment, or a random one for this process (one instance, or a local stack). */
  constructor(secret?: string) {
    if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new CsrfSecretError(`GOVERNOR_DASHBOARD_CSRF_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret);
  }

  issue(): string {
    const nonce = randomBytes(18).toString('base64url');
    return `${nonce}.${this.sign(nonce)}`;
  }

  /** True when the token is one this secret signed. */
  isSigned(token: string | undefined): boolean {
    if (!token) return false;
    const [nonce, mac, extra] = token.split('.');
    if (!nonce || !mac || extra !== undefined) return false;
    return equal(mac, this.sign(nonce));
  }

  /** Why a POST's tokens are refused, or undefined when the header repeats a signed cookie token. */
  refusal(cookieToken: string | undefined, headerToken: string | undefined): string | undefined {
    if (!headerToken) return `missing CSRF token: send the ${CSRF_HEADER} header of the page (reload it)`;
    if (!cookieToken) return 'missing CSRF cookie: reload the page';
    if (!equal(cookieToken, headerToken) || !this.isSigned(headerToken)) return 'invalid CSRF token: reload the page';
    return undefined;
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.secret).update(nonce).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
