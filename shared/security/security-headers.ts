import helmet, { type HelmetOptions } from 'helmet';

/** helmet's defaults, with framing denied outright (the seed's X-Frame-Options: DENY). */
export const DEFAULT_HELMET_OPTIONS: Readonly<HelmetOptions> = { xFrameOptions: { action: 'deny' } };

/**
 * The headers helmet sets (HSTS 365 days, nosniff, frame denial, CSP default-src 'self', …), as
 * a plain map for callers that are not Express (the plain-function guard).
 */
export function securityHeaders(options: Readonly<HelmetOptions> = DEFAULT_HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
    getHeader: (name: string) => headers[name],
  };
  helmet(options)({} as never, res as never, () => undefined);
  return headers;
}
