import { PROSE_ONLY, type ThreatPattern } from './threat-rules';

const NODE_MODULE = String.raw`(?:child_process|fs|net|vm|os|worker_threads|cluster|dgram|http2?)`;
const SPAWN = String.raw`(?:exec|execsync|execfile|execfilesync|spawn|spawnsync|fork)`;

/**
 * Server-side JavaScript injection and prototype pollution (Node): code strings handed to
 * `eval`/`Function`/timers, reaching `process` or `child_process`, and keys that write to
 * `Object.prototype`. In prose, where "why is eval() dangerous?" is a normal question, only
 * calls that run something (`eval` of a string, a `child_process` call, the constructor chain,
 * a `__proto__` key with a value).
 */
export const JS_PATTERNS: readonly ThreatPattern[] = [
  {
    rule: 'js-injection',
    name: 'eval or Function',
    regex: /\beval\s*\(|\bnew\s+function\s*\(|(?:^|[^.\w])function\s*\(\s*['"`]|\bset(?:timeout|interval|immediate)\s*\(\s*['"`]|\breflect\s*\.\s*construct\s*\(\s*function\b/,
    example: 'eval(atob(x))',
  },
  { rule: 'js-injection', name: 'eval of a code string', regex: /\beval\s*\(\s*(?:atob|string\.fromcharcode|unescape|decodeuricomponent|buffer\.from|['"`])/, example: "eval('process.exit()')", contexts: PROSE_ONLY },
  {
    rule: 'js-injection',
    name: 'code string run',
    // `new Function('return process')`, `setTimeout("fetch(…)")`; `new Function('a', 'b', 'return a + b')` passes.
    regex: /\b(?:function|set(?:timeout|interval|immediate))\s*\(\s*['"`][^'"`]*(?:fetch|document|process|require|alert|eval|global|this|import)/,
    example: "new Function('return process')()",
    contexts: PROSE_ONLY,
  },
  {
    rule: 'js-injection',
    name: 'node process access',
    regex: new RegExp(String.raw`\brequire\s*\(\s*['"\x60]${NODE_MODULE}['"\x60]|\bchild_process\b|\bprocess\s*\.\s*(?:env|exit|binding|mainmodule|kill|dlopen)\b|\._load\s*\(|\bimport\s*\(\s*['"\x60](?:node:)?${NODE_MODULE}['"\x60]`),
    example: "require('child_process')",
  },
  {
    rule: 'js-injection',
    name: 'process spawned',
    regex: new RegExp(String.raw`\brequire\s*\(\s*['"\x60](?:node:)?child_process['"\x60]\s*\)\s*\.\s*${SPAWN}\s*\(|\bprocess\s*\.\s*(?:mainmodule|binding\s*\()|\bmodule\s*\.\s*constructor\s*\.\s*_load\b`),
    example: "require('child_process').exec('id')",
    contexts: PROSE_ONLY,
  },
  {
    rule: 'js-injection',
    name: 'prototype pollution',
    // `__proto__`, `constructor.constructor`, and `constructor` → `prototype` as a JS index, a
    // query-string key (`constructor[prototype]`, `constructor.prototype.admin`) or a JSON object
    // (`{"constructor":{"prototype"`); writes to `Object.prototype`.
    example: '{"constructor":{"prototype":{"admin":true}}}',
    regex: /__proto__|constructor\s*\.\s*constructor|constructor['"`]?\s*(?:\]\s*)?\[\s*['"`]?(?:prototype|constructor)\b|constructor['"`]?\s*:\s*\{\s*['"`]?prototype\b|constructor\s*\.\s*prototype\s*[.\[]|\bconstructor\s*\(\s*['"`]return\b|\bobject\s*\.\s*prototype\s*(?:\.\s*\w+\s*=[^=]|\))/,
  },
  {
    rule: 'js-injection',
    name: 'prototype written',
    // A `__proto__` key given a value (JSON, query string, assignment) or the constructor chain called.
    regex: /__proto__['"`]?\s*(?::\s*\{|\[[^\[\]]*\]\s*=|\.\s*\w+\s*=[^=])|constructor\s*\.\s*constructor\s*\(|\[\s*['"`]constructor['"`]\s*\]\s*\[\s*['"`]constructor|constructor['"`]?\s*:\s*\{\s*['"`]?prototype\b/,
    example: '{"__proto__":{"admin":true}}',
    contexts: PROSE_ONLY,
  },
  { rule: 'js-injection', name: 'dynamic import', regex: /\bimport\s*\(\s*['"`](?:data:|https?:|node:)/, example: "import('data:text/javascript,alert(1)')" },
];
