import { EVERYWHERE, PROSE_ONLY, sameSides, sameSidesUnquoted, type ThreatPattern } from './threat-rules';

// A C comment whose body is unambiguous (runs of `*` end only at a non-`*`) and holds no `/`, so a
// scan from one `union` stops at the next `/` instead of running on through later `union`s.
const COMMENT = String.raw`\/\*[^*\/]*\*+(?:[^*\/][^*\/]*\*+)*\/`;
const QUOTE = String.raw`['"\x60]`;
// Closing parentheses after a quote, each with its own trailing whitespace (`\s*\)*\s*` is ambiguous).
const CLOSE = String.raw`\s*(?:\)\s*)*`;
const OPEN = String.raw`\s*(?:\(\s*)*`;
const UNION_SELECT = String.raw`union\b(?:\s|${COMMENT}|\(|\ball\b|\bdistinct\b)*\bselect\b`;
const STACKED = String.raw`;\s*(?:drop|delete|insert|update|alter|create|truncate|exec(?:ute)?|shutdown|grant|declare)\b`;
const COMMENT_START = String.raw`(?:--|#|\/\*)`;
// A side of a comparison: a number, a hex literal, or a quoted word (quotes optional).
const SIDE = String.raw`(\d+|0x[0-9a-f]+)`;

/**
 * SQL injection, from the OWASP SQL-injection cheat sheets and PayloadsAllTheThings. In a field,
 * a quote closing into a boolean, comment or `order by`, a union select, a stacked statement,
 * a tautology or a probe ending in a comment, and the functions and catalogs only an attacker
 * asks a database for; in prose, where "what does OR 1=1 mean?" is a normal question, only
 * a quote closed into a tautology, a comment, a union select or a stacked statement.
 */
export const SQL_PATTERNS: readonly ThreatPattern[] = [
  { rule: 'sql-injection', name: 'quote then boolean', regex: new RegExp(String.raw`${QUOTE}${CLOSE}(?:or|and|xor|\|\||&&)${OPEN}(?:(?:${QUOTE}\s*)?\w+\s*(?:${QUOTE}\s*)?(?:=|<|>|like\b|is\b)|${QUOTE}{2}\s*=|\d+\s*(?:=|<|>)|true\b|false\b|not\b|exists\b|sleep\b|1\b|${QUOTE}\d)`), example: "' or 1=1" },
  // `' or ''&'`, `' or ''-'`: the empty string joined by an operator, true in MySQL's loose typing.
  { rule: 'sql-injection', name: 'quote then operator', regex: new RegExp(String.raw`${QUOTE}\s*(?:or|and|\|\||&&)\s*${QUOTE}{2}\s*[-+*\/&^%|]`), example: "' or ''&'", contexts: EVERYWHERE },
  // `'-'`, `'||'`, `"*"` as the whole value: a probe for string concatenation in a query (`'+'`
  // reads as `' '` once form decoding made its `+` a space).
  { rule: 'sql-injection', name: 'quoted operator probe', regex: new RegExp(String.raw`^\s*${QUOTE}(?:\s*(?:\|\||[-*\/&^%|#])\s*|\s+)${QUOTE}\s*$`), example: "'-'", contexts: EVERYWHERE },
  { rule: 'sql-injection', name: 'quote then tautology', regex: new RegExp(String.raw`${QUOTE}${CLOSE}(?:or|\|\|)${OPEN}(${QUOTE}\w*${QUOTE}|\w+)\s*=\s*(${QUOTE}\w*|\w+)`), confirm: sameSidesUnquoted, example: "x' or 'a'='a", contexts: PROSE_ONLY },
  {
    rule: 'sql-injection',
    name: 'quote then boolean that runs',
    regex: new RegExp(String.raw`${QUOTE}${CLOSE}(?:or|and|\|\||&&)${OPEN}(?:(?:sleep|pg_sleep|benchmark)\s*\(|(?:true|false)${CLOSE}${COMMENT_START})`),
    example: "' and sleep(5)--",
    contexts: PROSE_ONLY,
  },
  { rule: 'sql-injection', name: 'quote then order by', regex: new RegExp(String.raw`${QUOTE}${CLOSE}(?:order|group)\s+by\s+\d`), example: "' order by 3" },
  { rule: 'sql-injection', name: 'order by then comment', regex: new RegExp(String.raw`\b(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+)*\s*${COMMENT_START}`), example: 'order by 9--' },
  { rule: 'sql-injection', name: 'union select', regex: new RegExp(String.raw`\b${UNION_SELECT}`), example: '1 union/**/all select password from users' },
  { rule: 'sql-injection', name: 'quote then union select', regex: new RegExp(String.raw`${QUOTE}${CLOSE}${UNION_SELECT}`), example: "' union select password from users", contexts: PROSE_ONLY },
  { rule: 'sql-injection', name: 'stacked query', regex: new RegExp(STACKED), example: '1; drop table users' },
  { rule: 'sql-injection', name: 'quote then stacked query', regex: new RegExp(String.raw`${QUOTE}${CLOSE}${STACKED}`), example: "'; drop table users", contexts: PROSE_ONLY },
  { rule: 'sql-injection', name: 'quote then comment', regex: new RegExp(String.raw`${QUOTE}${CLOSE}${COMMENT_START}`), example: "admin'--" },
  // In prose a comment must end the text or be followed by a space: `querySelector('#id')` passes.
  { rule: 'sql-injection', name: 'quote then trailing comment', regex: new RegExp(String.raw`${QUOTE}${CLOSE}(?:--|#)(?:[\s-]|$)`), example: "admin'-- -", contexts: PROSE_ONLY },
  // `or true--`, `AND 1=0#`, `having 1=1--`: a boolean the attacker ends with a comment.
  {
    rule: 'sql-injection',
    name: 'boolean then comment',
    regex: new RegExp(String.raw`\b(?:or|and|having)\s+(?:\(\s*)*(?:true|false|null|not\s+\w+|\d+\s*(?:=|<>|!=|<=?|>=?)\s*\d+|\d+)\s*(?:\)\s*)*${COMMENT_START}`),
    example: 'and 1=0#',
  },
  // The comment body may not hold `/`, so a scan never runs past the next `/*` (no rescans).
  { rule: 'sql-injection', name: 'inline comment obfuscation', regex: /\w\/\*[^*/]*\*+(?:[^*/][^*/]*\*+)*\/\w|\/\*!\d*/, example: 'sel/**/ect' },
  { rule: 'sql-injection', name: 'time or file function', regex: /\b(?:sleep|benchmark|pg_sleep|load_file|utl_http\.request|dbms_pipe\.receive_message|randomblob)\s*\(|\bwaitfor\s+delay\b|\binto\s+(?:out|dump)file\b|\bto\s+program\s+['"]/, example: 'sleep(5)' },
  {
    rule: 'sql-injection',
    name: 'error or blind probe',
    regex: /\b(?:extractvalue|updatexml|xmltype)\s*\(|\bconcat(?:_ws)?\s*\(\s*0x[0-9a-f]+|\bfloor\s*\(\s*rand\s*\(|\bprocedure\s+analyse\s*\(|\b(?:ascii|ord)\s*\(\s*(?:substr|substring|mid)\s*\(|\b(?:substr|substring|mid)\s*\(\s*\(\s*select\b|\b(?:cast|convert)\s*\(\s*(?:int\s*,\s*)?\(\s*select\b|\b(?:rlike|regexp)\s*\(\s*select\b/,
    example: "extractvalue(1,concat(0x7e,version()))",
  },
  { rule: 'sql-injection', name: 'server variable', regex: /@@(?:version|datadir|hostname|servername|basedir|tmpdir|spid|language|identity|global|session)\b/, example: 'select @@version' },
  { rule: 'sql-injection', name: 'system catalog', regex: /\b(?:information_schema|xp_cmdshell|xp_dirtree|xp_regread|sp_oacreate|sysobjects|syscolumns|pg_catalog|pg_shadow|sqlite_master|mysql\.user|all_tables)\b|\bv\$(?:version|instance|database)\b/, example: 'select * from information_schema.tables' },
  // RE2 has no back-references: the two sides are captured and compared by `confirm`.
  { rule: 'sql-injection', name: 'tautology', regex: new RegExp(String.raw`(?:\b(?:or|and|having|when|xor)\s+|(?:\|\||&&)\s*)(?:\(\s*)*${SIDE}\s*=\s*${SIDE}\b`), confirm: sameSides, example: '1 or 2=2' },
  { rule: 'sql-injection', name: 'tautology', regex: /\b(?:or|and)\s+'([^']*)'\s*=\s*'([^']*)'/, confirm: sameSides, example: "x or 'a'='a'" },
];
