/** The attack classes the detectors know (the seed's four). */
export const THREAT_RULES = ['xss', 'sql-injection', 'path-traversal', 'js-injection'] as const;
export type ThreatRule = (typeof THREAT_RULES)[number];

/**
 * One detector: a pattern family matched on normalized text. `confirm` (optional) looks at a
 * match's capture groups when a regular language cannot say it (a tautology's two sides equal).
 */
export interface ThreatPattern {
  rule: ThreatRule;
  /** Named in the rejection message and the audit log. */
  name: string;
  regex: RegExp;
  /** A normalized text the pattern must match: tested, and the seed of the generated ReDoS pumps. */
  example: string;
  confirm?: (groups: readonly string[]) => boolean;
}

const sameSides = (groups: readonly string[]) => groups[0] === groups[1];

// A C comment whose body is unambiguous (runs of `*` end only at a non-`*`) and holds no `/`, so a
// scan from one `union` stops at the next `/` instead of running on through later `union`s.
const COMMENT = String.raw`\/\*[^*\/]*\*+(?:[^*\/][^*\/]*\*+)*\/`;
// Closing parentheses after a quote, each with its own trailing whitespace (`\s*\)*\s*` is ambiguous).
const CLOSE = String.raw`\s*(?:\)\s*)*`;
const NS = String.raw`(?:[a-z0-9_-]+:)?`; // `<html:script>`, `<svg:set>`: a namespace prefix

/**
 * Patterns from the OWASP XSS filter-evasion and SQL-injection cheat sheets and
 * PayloadsAllTheThings, matched on normalized text. Each needs attack structure (a tag with a
 * handler, a quote closing into a boolean, a `..` followed by a separator), so prose with
 * apostrophes, angle brackets in math and ordinary SQL or JS in code samples mostly pass; the
 * README reports the measured rates on the corpus in test/fixtures.
 *
 * They run on RE2 (linear time whatever the input), and are also written so that a backtracking
 * engine would run them in linear time: no nested or adjacent overlapping quantifiers, and every
 * unbounded scan stops at the character that could start the next match (`[^<>]*`, `[^{}]*`), so
 * the unanchored search cannot rescan. The test suite checks each with recheck.
 */
export const THREAT_PATTERNS: readonly ThreatPattern[] = [
  { rule: 'xss', name: 'script tag', regex: new RegExp(String.raw`<\s*(?:\/\s*)?${NS}script\b`), example: "<html:script>alert(1)</html:script>" },
  { rule: 'xss', name: 'event handler in a tag', regex: /<[^<>]*[\s/"']on[a-z]{3,}\s*=/, example: "<img src=x onerror=alert(1)>" },
  { rule: 'xss', name: 'javascript: url', regex: /(?:^|[\s\x00-\x1f"'`=(<])(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|l\s*i\s*v\s*e\s*s\s*c\s*r\s*i\s*p\s*t)\s*:/, example: "<a href=\"javascript:alert(1)\">" },
  { rule: 'xss', name: 'dangerous tag', regex: new RegExp(String.raw`<\s*${NS}(?:iframe|frame|object|embed|applet|meta|base|svg|math|link|style|form|isindex|xml|xss)\b`), example: "<iframe src=//evil.example>" },
  { rule: 'xss', name: 'svg animation of a handler', regex: new RegExp(String.raw`<\s*${NS}(?:set|animate|animatemotion|animatetransform)\b[^<>]*\battributename\s*=\s*(?:['"]\s*)?(?:on[a-z]{3,}|href|xlink:href)\b`), example: "<set attributename=\"onmouseover\" to=\"alert(1)\"/>" },
  { rule: 'xss', name: 'data: html url', regex: /data\s*:\s*(?:text\/html|image\/svg[\s+]xml|application\/(?:x-)?javascript)/, example: "data:text/html;base64,phnjcmlwdd4=" },
  { rule: 'xss', name: 'css expression', regex: /(?:expression|behaviou?r)\s*\(|-moz-binding\s*:/, example: "width: expression(alert(1))" },
  { rule: 'xss', name: 'srcdoc attribute', regex: /\bsrcdoc\s*=/, example: "<x srcdoc=\"<b>x</b>\">" },

  { rule: 'sql-injection', name: 'quote then boolean', regex: new RegExp(String.raw`['"\x60]${CLOSE}(?:or|and|xor|\|\||&&)\s*(?:\(\s*)*(?:(?:['"\x60]\s*)?\w+\s*(?:['"\x60]\s*)?(?:=|<|>|like\b|is\b)|['"\x60]{2}\s*=|\d+\s*(?:=|<|>)|true\b|false\b|not\b|exists\b|sleep\b|1\b|['"\x60]\d)`), example: "' or 1=1" },
  { rule: 'sql-injection', name: 'quote then order by', regex: new RegExp(String.raw`['"\x60]${CLOSE}(?:order|group)\s+by\s+\d`), example: "' order by 3" },
  { rule: 'sql-injection', name: 'union select', regex: new RegExp(String.raw`\bunion\b(?:\s|${COMMENT}|\(|\ball\b|\bdistinct\b)*\bselect\b`), example: "1 union/**/all select password from users" },
  { rule: 'sql-injection', name: 'stacked query', regex: /;\s*(?:drop|delete|insert|update|alter|create|truncate|exec(?:ute)?|shutdown|grant|declare)\b/, example: "1; drop table users" },
  { rule: 'sql-injection', name: 'quote then comment', regex: new RegExp(String.raw`['"\x60]${CLOSE}(?:--|#|\/\*)`), example: "admin'--" },
  // The comment body may not hold `/`, so a scan never runs past the next `/*` (no rescans).
  { rule: 'sql-injection', name: 'inline comment obfuscation', regex: /\w\/\*[^*/]*\*+(?:[^*/][^*/]*\*+)*\/\w|\/\*!\d*/, example: "sel/**/ect" },
  { rule: 'sql-injection', name: 'time or file function', regex: /\b(?:sleep|benchmark|pg_sleep|load_file|utl_http\.request|dbms_pipe\.receive_message)\s*\(|\bwaitfor\s+delay\b|\binto\s+(?:out|dump)file\b/, example: "sleep(5)" },
  { rule: 'sql-injection', name: 'system catalog', regex: /\b(?:information_schema|xp_cmdshell|sysobjects|syscolumns|pg_catalog|sqlite_master|mysql\.user)\b/, example: "select * from information_schema.tables" },
  // RE2 has no back-references: the two sides are captured and compared by `confirm`.
  { rule: 'sql-injection', name: 'tautology', regex: /\b(?:or|and)\s+(\d+)\s*=\s*(\d+)\b/, confirm: sameSides, example: "1 or 2=2" },
  { rule: 'sql-injection', name: 'tautology', regex: /\b(?:or|and)\s+'([^']*)'\s*=\s*'([^']*)'/, confirm: sameSides, example: "x or 'a'='a'" },

  { rule: 'path-traversal', name: 'dot-dot segment', regex: /(?:^|[\/\\=:'"\s])\.\.;?(?:[\/\\]|$)/, example: "../../etc/passwd" },
  { rule: 'path-traversal', name: 'system file', regex: /(?:^|[\/\\])(?:etc[\/\\](?:passwd|shadow|hosts|group)|proc[\/\\]self[\/\\]|boot\.ini|win\.ini|windows[\/\\]system32)/, example: "/etc/passwd" },
  { rule: 'path-traversal', name: 'file url', regex: /\bfile:\/{2,3}/, example: "file:///etc/passwd" },

  { rule: 'js-injection', name: 'eval or Function', regex: /\beval\s*\(|\bnew\s+function\s*\(|(?:^|[^.\w])function\s*\(\s*['"`]|\bset(?:timeout|interval|immediate)\s*\(\s*['"`]/, example: "eval(atob(x))" },
  { rule: 'js-injection', name: 'node process access', regex: /\brequire\s*\(\s*['"`](?:child_process|fs|net|vm|os)['"`]|\bchild_process\b|\bprocess\s*\.\s*(?:env|exit|binding|mainmodule|kill)\b/, example: "require('child_process')" },
  {
    rule: 'js-injection',
    name: 'prototype pollution',
    // `__proto__`, `constructor.constructor`, and `constructor` → `prototype` as a JS index, a
    // query-string key (`constructor[prototype]`, `constructor.prototype.admin`) or a JSON object
    // (`{"constructor":{"prototype"`).
    example: '{"constructor":{"prototype":{"admin":true}}}',
    regex: /__proto__|constructor\s*\.\s*constructor|constructor['"`]?\s*(?:\]\s*)?\[\s*['"`]?prototype\b|constructor['"`]?\s*:\s*\{\s*['"`]?prototype\b|constructor\s*\.\s*prototype\s*[.\[]|\bconstructor\s*\(\s*['"`]return\b/,
  },
  { rule: 'js-injection', name: 'template injection', regex: /\$\{[^{}]*(?:process|require|constructor|global|import)\b|\{\{[^{}]*(?:constructor|__proto__|\$on\.)/, example: "${process.mainmodule}" },
  { rule: 'js-injection', name: 'dynamic import', regex: /\bimport\s*\(\s*['"`](?:data:|https?:|node:)/, example: "import('data:text/javascript,alert(1)')" },
];
