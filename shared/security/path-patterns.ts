import { PROSE_ONLY, type ThreatPattern } from './threat-rules';

// Where a traversal goes to read secrets or run code: system files and folders of Unix,
// Windows and Java web apps. Matched right after a separator or a `..` segment.
const SYSTEM_FILE = String.raw`(?:etc[\/\\](?:passwd|shadow|hosts|group|issue)|proc[\/\\]self[\/\\]|boot\.ini|win\.ini|system\.ini|windows[\/\\]system32|web-inf[\/\\]|\.ssh[\/\\]|\.aws[\/\\]credentials|var[\/\\]log[\/\\])`;
const SYSTEM_ROOT = String.raw`(?:etc|proc|root|windows|winnt|inetpub|web-inf|\.ssh|\.aws|var[\/\\]log|boot\.ini|win\.ini)\b`;

/**
 * Path traversal, from PayloadsAllTheThings' Directory Traversal page and what dotdotpwn-style
 * fuzzers generate; the encodings (overlong UTF-8, `%u2215`, `0x2f`, `%%32%%66`) are undone by
 * normalizeForDetection first. In a field, any `..` segment (also `....//`, `.../`, `..;/`
 * that filters turn into one), a system file, a file URL; in prose, where "copy ../assets into
 * ./public" is a normal request, only a `..` segment that reaches a system folder or file.
 */
export const PATH_PATTERNS: readonly ThreatPattern[] = [
  { rule: 'path-traversal', name: 'dot-dot segment', regex: /(?:^|[/\\=:'"\s])(?:\.{2,};?[/\\]|\.\.;?$)/, example: '../../etc/passwd' },
  { rule: 'path-traversal', name: 'system file', regex: new RegExp(String.raw`(?:^|[\/\\])${SYSTEM_FILE}`), example: '/etc/passwd' },
  { rule: 'path-traversal', name: 'traversal to a system file', regex: new RegExp(String.raw`\.\.;?[\/\\]+${SYSTEM_ROOT}`), example: '../../etc/passwd', contexts: PROSE_ONLY },
  { rule: 'path-traversal', name: 'file url', regex: /\bfile:\/{2,3}/, example: 'file:///etc/passwd' },
  { rule: 'path-traversal', name: 'file url to a system file', regex: new RegExp(String.raw`\bfile:\/{2,3}(?:localhost\/)?(?:[a-z]:[\/\\])?${SYSTEM_ROOT}`), example: 'file:///etc/passwd', contexts: PROSE_ONLY },
];
