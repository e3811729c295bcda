/** Named entities an attacker uses to hide markup; numeric entities are decoded generally. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', colon: ':', lpar: '(', rpar: ')', sol: '/', bsol: '\\', tab: '\t', newline: '\n', period: '.',
};

/** How many nested encodings are peeled off (`%25253C` is three). Each layer is one linear pass. */
export const MAX_DECODE_LAYERS = 3;

// Every pattern here is a fixed-width token or a single character class run: linear in V8's
// engine, checked by recheck in the test suite with the detectors.
function decodeOnce(text: string): string {
  return text
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/&#(\d{1,7});?/g, (_, dec: string) => safeChar(parseInt(dec, 10)))
    .replace(/&([a-z]{1,10});/gi, (m, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? m)
    .replace(/\\u\{?([0-9a-f]{4,6})\}?/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    // Overlong UTF-8 forms of '/', '\' and '.' used in traversal attacks, before plain %XX.
    .replace(/%c0%af|%e0%80%af/gi, '/')
    .replace(/%c1%9c/gi, '\\')
    .replace(/%c0%ae/gi, '.')
    // IIS-style %uXXXX.
    .replace(/%u([0-9a-f]{4})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    // Form encoding: `+` is a space (before %XX, so an encoded `%2B` stays a plus in this layer).
    .replace(/\+/g, ' ')
    .replace(/(?:%[0-9a-f]{2})+/gi, decodePercentRun);
}

/** A run of %XX as UTF-8 when it is valid UTF-8 (`%EF%BC%9C` is `＜`), else byte by byte. */
function decodePercentRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

function safeChar(code: number): string {
  return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/**
 * What a detector looks at: the text decoded the way browsers, servers and databases would
 * decode it (URL and form encoding, HTML entities, JS escapes — up to three nested layers), then
 * fullwidth forms as ASCII (`＜` is `<` to a backend that normalizes), typographic quotes as ASCII quotes
 * (`’ or ‘1’=’1` reaches SQL through "smart" editors), Unicode spaces as a space, NUL bytes
 * removed, lowercased. Detectors match on this, so `%253Cscript` and `&#x3C;script` count as
 * `<script`. Only lowercasing can lengthen the
 * text (`İ` becomes two code units), so detectors see at most twice the input's length.
 */
export function normalizeForDetection(text: string): string {
  let current = text;
  for (let i = 0; i < MAX_DECODE_LAYERS; i++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current
    // Fullwidth ASCII (`＜`, `＇`) as plain ASCII, as a backend applying NFKC sees it; only this
    // block, because full NFKC can grow a text 18× (`ﷺ`) and every step here must not grow it.
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u2018\u2019\u201a\u201b\u2032\u02bc]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/[\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g, ' ')
    .replace(/\0/g, '')
    .toLowerCase();
}

/** True when the raw text carries a NUL byte (a classic truncation trick), encoded or not. */
export function hasNullByte(text: string): boolean {
  return /\0|%00|\\0|\\x00|\\u0000/i.test(text);
}
