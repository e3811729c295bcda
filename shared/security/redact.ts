/** Detail keys whose values are never stored or logged (credentials and key material). */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|private/i;
/** Values that look like key material even under an innocent key: long random-looking strings, Bearer tokens, PEM. */
const SECRET_VALUE = /^(?:bearer\s+\S+|-----BEGIN [A-Z ]+-----[\s\S]*|[A-Za-z0-9+/_-]{40,}={0,2}|gov_[A-Za-z0-9]+_[A-Za-z0-9_-]{16,})$/i;

/** A copy of event details with credential-bearing values replaced by `[redacted]`. */
export function redactDetails(details: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k, SECRET_KEY.test(k) || (typeof v === 'string' && SECRET_VALUE.test(v.trim())) ? '[redacted]' : v]),
  );
}
