/** Named entities an attacker uses to hide markup; numeric entities are decoded generally. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', colon: ':', lpar: '(', rpar: ')', sol: '/', bsol: '\\', tab: '\t', newline: '\n', period: '.',
};

function decodeOnce(text: string): string {
  return text
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/&#(\d{1,7});?/g, (_, dec: string) => safeChar(parseInt(dec, 10)))
    .replace(/&([a-z]+);/gi, (m, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? m)
    .replace(/\\u\{?([0-9a-f]{4,6})\}?/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    // Overlong UTF-8 forms of '/', '\' and '.' used in traversal attacks, before plain %XX.
    .replace(/%c0%af|%e0%80%af/gi, '/')
    .replace(/%c1%9c/gi, '\\')
    .replace(/%c0%ae/gi, '.')
    .replace(/%u([0-9a-f]{4})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => safeChar(parseInt(hex, 16)));
}

function safeChar(code: number): string {
  return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/**
 * What a detector looks at: the text decoded the way browsers, servers and databases would
 * decode it (URL, HTML entities, JS escapes — up to three nested layers), NUL bytes removed,
 * lowercased. Detectors match on this, so `%253Cscript` and `&#x3C;script` count as `<script`.
 */
export function normalizeForDetection(text: string): string {
  let current = text;
  for (let i = 0; i < 3; i++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current.replace(/\0/g, '').toLowerCase();
}

/** True when the raw text carries a NUL byte (a classic truncation trick), encoded or not. */
export function hasNullByte(text: string): boolean {
  return /\0|%00|\\0|\\x00|\\u0000/i.test(text);
}
