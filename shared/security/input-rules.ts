import { hasNullByte, normalizeForDetection } from './normalize-input';

/** The attack classes the detectors know (the seed's four). */
export const THREAT_RULES = ['xss', 'sql-injection', 'path-traversal', 'js-injection'] as const;
export type ThreatRule = (typeof THREAT_RULES)[number];

export interface ThreatMatch {
  rule: ThreatRule;
  /** The pattern family that matched (for the rejection message and the audit log). */
  pattern: string;
}

type Detector = readonly [pattern: string, regex: RegExp];

/**
 * Patterns from the OWASP XSS filter-evasion and SQL-injection cheat sheets and
 * PayloadsAllTheThings, matched on normalized text. Each needs attack structure (a tag with a
 * handler, a quote closing into a boolean, a `..` followed by a separator), so prose with
 * apostrophes, angle brackets in math and ordinary SQL or JS in code samples mostly pass; the
 * README reports the measured rates on the corpus in test/fixtures.
 */
const DETECTORS: Readonly<Record<ThreatRule, readonly Detector[]>> = {
  xss: [
    ['script tag', /<\s*\/?\s*script\b/],
    ['event handler in a tag', /<[^>]*[\s/"'](on[a-z]{3,})\s*=/],
    ['javascript: url', /(?:^|[\s\x00-\x1f"'`=(<])(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|l\s*i\s*v\s*e\s*s\s*c\s*r\s*i\s*p\s*t)\s*:/],
    ['dangerous tag', /<\s*(?:iframe|frame|object|embed|applet|meta|base|svg|math|link|style|form|isindex|xml|xss)\b/],
    ['data: html url', /data\s*:\s*(?:text\/html|image\/svg\+xml|application\/(?:x-)?javascript)/],
    ['css expression', /(?:expression|behaviou?r)\s*\(|-moz-binding\s*:/],
    ['srcdoc attribute', /\bsrcdoc\s*=/],
  ],
  'sql-injection': [
    ['quote then boolean', /['"`]\s*\)*\s*(?:or|and|xor|\|\||&&)\s*\(*\s*(?:['"`]?\s*\w+\s*['"`]?\s*(?:=|<|>|like\b|is\b)|['"`]{2}\s*=|\d+\s*(?:=|<|>)|true\b|false\b|not\b|exists\b|sleep\b|1\b|['"`]\d)/],
    ['quote then order by', /['"`]\s*\)*\s*(?:order|group)\s+by\s+\d/],
    ['union select', /\bunion\b(?:\s|\/\*[\s\S]*?\*\/|\(|\ball\b|\bdistinct\b)*\bselect\b/],
    ['stacked query', /;\s*(?:drop|delete|insert|update|alter|create|truncate|exec(?:ute)?|shutdown|grant|declare)\b/],
    ['quote then comment', /['"`]\s*\)*\s*(?:--|#|\/\*)/],
    ['inline comment obfuscation', /\w\/\*[\s\S]*?\*\/\w|\/\*!\d*/],
    ['time or file function', /\b(?:sleep|benchmark|pg_sleep|load_file|utl_http\.request|dbms_pipe\.receive_message)\s*\(|\bwaitfor\s+delay\b|\binto\s+(?:out|dump)file\b/],
    ['system catalog', /\b(?:information_schema|xp_cmdshell|sysobjects|syscolumns|pg_catalog|sqlite_master|mysql\.user)\b/],
    ['tautology', /\b(?:or|and)\s+(\d+)\s*=\s*\1\b|\b(?:or|and)\s+'([^']*)'\s*=\s*'\2'/],
  ],
  'path-traversal': [
    ['dot-dot segment', /(?:^|[\/\\=:'"\s])\.\.;?(?:[\/\\]|$)/],
    ['system file', /(?:^|[\/\\])(?:etc[\/\\](?:passwd|shadow|hosts|group)|proc[\/\\]self[\/\\]|boot\.ini|win\.ini|windows[\/\\]system32)/],
    ['file url', /\bfile:\/{2,3}/],
  ],
  'js-injection': [
    ['eval or Function', /\beval\s*\(|\bnew\s+function\s*\(|(?:^|[^.\w])function\s*\(\s*['"`]|\bset(?:timeout|interval|immediate)\s*\(\s*['"`]/],
    ['node process access', /\brequire\s*\(\s*['"`](?:child_process|fs|net|vm|os)['"`]|\bchild_process\b|\bprocess\s*\.\s*(?:env|exit|binding|mainmodule|kill)\b/],
    ['prototype pollution', /__proto__|constructor\s*\.\s*constructor|constructor['"`]?\s*\]?\s*\[\s*['"`]prototype|\bconstructor\s*\(\s*['"`]return\b/],
    ['template injection', /\$\{[^}]*(?:process|require|constructor|global|import)\b|\{\{[^}]*(?:constructor|__proto__|\$on\.)/],
    ['dynamic import', /\bimport\s*\(\s*['"`](?:data:|https?:|node:)/],
  ],
};

/** Every threat found in a string (empty when it looks benign). */
export function detectThreats(text: string, rules: readonly ThreatRule[] = THREAT_RULES): ThreatMatch[] {
  const normalized = normalizeForDetection(text);
  const found: ThreatMatch[] = [];
  for (const rule of rules) {
    for (const [pattern, regex] of DETECTORS[rule]) {
      if (regex.test(normalized)) {
        found.push({ rule, pattern });
        break;
      }
    }
  }
  if (rules.includes('path-traversal') && !found.some((f) => f.rule === 'path-traversal') && hasNullByte(text)) {
    found.push({ rule: 'path-traversal', pattern: 'null byte' });
  }
  return found;
}
