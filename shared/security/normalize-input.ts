/** Named entities an attacker uses to hide markup; numeric entities are decoded generally. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', colon: ':', lpar: '(', rpar: ')', sol: '/', bsol: '\\', tab: '\t', newline: '\n', period: '.',
};

/**
 * Characters read as the ASCII they look like: slashes, backslashes and dots (`%u2215`, `%u2216`,
 * IIS's `%uF025`) that reach a path, and typographic quotes (`’ or ‘1’=’1` reaches SQL through
 * "smart" editors).
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '\u2215': '/', '\u2044': '/', '\u29f8': '/', '\uf025': '/', '\uefc8': '/',
  '\u2216': '\\', '\u29f5': '\\', '\u29f9': '\\',
  '\u2024': '.', '\u2e31': '.',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u02bc': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"',
};

/** How many nested encodings are peeled off (`%25253C` is three). Each layer is one linear pass. */
export const MAX_DECODE_LAYERS = 3;

// Every pattern here is a fixed-width token or a single character class run: linear in V8's
// engine, checked by recheck in the test suite with the detectors. No step lengthens the text.
function decodeOnce(text: string): string {
  return text
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/&#(\d{1,7});?/g, (_, dec: string) => safeChar(parseInt(dec, 10)))
    .replace(/&([a-z]{1,10});/gi, (m, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? m)
    // `\u{1F600}` takes up to six digits in braces, `\u003e` exactly four (`\u003ealert` is `>alert`).
    .replace(/\\u\{([0-9a-f]{1,6})\}|\\u([0-9a-f]{4})/gi, (_, braced: string | undefined, bare: string | undefined) => safeChar(parseInt(braced ?? bare ?? '', 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    // `%%32%%66` decodes to `%2%f` in one layer: joined here, it is `%2f` for this layer.
    .replace(/%([0-9a-f])%([0-9a-f])/gi, '%$1$2')
    // Overlong UTF-8 (`%c0%af`, `%c1%9c`, `%e0%80%af`) and its invalid cousins (`%c0%2e`,
    // `%e0%40%ae`), which lax decoders turn into '/', '\\' and '.': before plain %XX.
    .replace(/%c([01])%([0-9a-f]{2})/gi, (_, lead: string, cont: string) => overlong2(parseInt(lead, 16), parseInt(cont, 16)))
    .replace(/%e0%([0-9][0-9a-f])%([0-9a-f]{2})/gi, (_, b2: string, b3: string) => safeChar(((parseInt(b2, 16) & 0x3f) << 6) | (parseInt(b3, 16) & 0x3f)))
    // IIS-style %uXXXX.
    .replace(/%u([0-9a-f]{4})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    // `0x2e0x2e0x2f` (dotdotpwn's hex form of `../`); only the three path characters.
    .replace(/0x(2e|2f|5c)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    // Form encoding: `+` is a space (before %XX, so an encoded `%2B` stays a plus in this layer).
    .replace(/\+/g, ' ')
    .replace(/(?:%[0-9a-f]{2})+/gi, decodePercentRun);
}

/** A two-byte overlong sequence as a lax decoder reads it; an ASCII second byte stands for itself. */
function overlong2(lead: number, cont: number): string {
  return String.fromCharCode(cont < 0x80 ? cont : ((lead & 0x1f) << 6) | (cont & 0x3f));
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
  // Text without `%`, `&`, a backslash, `+` or `0x` has nothing to decode (most text): one scan, no layer.
  for (let i = 0; i < MAX_DECODE_LAYERS && /[%&\\+]|0x/i.test(current); i++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current
    // Fullwidth ASCII (`＜`, `＇`) as plain ASCII, as a backend applying NFKC sees it; only this
    // block, because full NFKC can grow a text 18× (`ﷺ`) and every step here must not grow it.
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u2215\u2044\u29f8\uf025\uefc8\u2216\u29f5\u29f9\u2024\u2e31\u2018\u2019\u201a\u201b\u2032\u02bc\u201c\u201d\u201e\u201f\u2033]/g, (c) => LOOK_ALIKES[c] ?? c)
    .replace(/[\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g, ' ')
    .replace(/\0/g, '')
    .toLowerCase();
}

/** True when the raw text carries a NUL byte (a classic truncation trick), encoded or not. */
export function hasNullByte(text: string): boolean {
  return /\0|%00|\\0|\\x00|\\u0000/i.test(text);
}
