import { EVERYWHERE, PROSE_ONLY, type ThreatPattern } from './threat-rules';

// Python internals a Jinja2/Mako payload walks to reach `os` (`''.__class__.__mro__[1]…`).
const DUNDER = String.raw`__(?:class|mro|subclasses|globals|builtins|init|base|bases|import|getattribute|dict|code|reduce)__`;
const SHELL_CALL = String.raw`(?:system|exec|passthru|shell_exec|popen|proc_open)`;
// Openers of template expressions: Jinja/Twig/Handlebars/Angular, JS/EL/Mako/Freemarker,
// Ruby/JSF/Pug, Thymeleaf selection, Razor, ERB/EJS/JSP, Thymeleaf inline, Jinja statements.
const OPENER = String.raw`(?:\{\{=?|\$\{|#\{|\*\{|@\(|<%=?|\[\[|\{%=?)`;

/**
 * Server-side template injection, from PayloadsAllTheThings' SSTI page and PortSwigger's
 * research: the arithmetic probes every engine answers (`{{7*7}}`, `${7*7}`, `<%= 7*7 %>`,
 * `#{7*7}`, `@(1+2)`), engine internals (Jinja attribute chains, Twig `_self.env`, Freemarker
 * `?new()`, Spring `T(java.lang.Runtime)`, Smarty `{php}`), and expressions that call a shell.
 * In prose, where "{{ user.name }}" or "{% include %}" is a normal question, only expressions
 * that reach engine internals or a shell.
 */
export const TEMPLATE_PATTERNS: readonly ThreatPattern[] = [
  // The operator may be a space: form decoding reads `@(1+2)` as `@(1 2)`.
  { rule: 'template-injection', name: 'arithmetic probe', regex: new RegExp(String.raw`${OPENER}\s*\d+(?:\s*[*+\/-]\s*|\s+)['"]?\d+`), example: '{{7*7}}' },
  {
    rule: 'template-injection',
    name: 'python internals',
    regex: new RegExp(String.raw`(?:\{\{|\{%|\$\{)[^{}]*${DUNDER}|${DUNDER}\s*(?:\[[^\[\]]*\]\s*)?\.\s*${DUNDER}|\[\s*['"]${DUNDER}['"]\s*\]`),
    example: "{{''.__class__.__mro__[1].__subclasses__()}}",
    contexts: EVERYWHERE,
  },
  { rule: 'template-injection', name: 'attr filter', regex: /\|\s*attr\s*\(/, example: "{{request|attr('application')}}" },
  { rule: 'template-injection', name: 'attr filter in an expression', regex: /\{\{[^{}]*\|\s*attr\s*\(/, example: "{{request|attr('application')}}", contexts: PROSE_ONLY },
  {
    rule: 'template-injection',
    name: 'engine internals',
    regex: new RegExp(String.raw`\|\s*(?:filter|map|reduce|sort)\s*\(\s*['"]${SHELL_CALL}|\b_self\s*\.\s*env\b|registerundefinedfiltercallback|\|\s*file_excerpt\b|freemarker\.template\.utility\.\w+['"]?\s*\?\s*new\s*\(|\bsmarty_internal_|\{php\}[^{}]*\{\/php\}|@\s*system\.diagnostics\.process\b`),
    example: '{{_self.env.registerundefinedfiltercallback("exec")}}',
    contexts: EVERYWHERE,
  },
  { rule: 'template-injection', name: 'engine probe', regex: /\?\s*new\s*\(|freemarker\.template\.utility\.|<#assign\b|\{\/?php\}|\{\$smarty\.|#set\s*\(\s*\$|\bsystem\.diagnostics\.process\b/, example: '{$smarty.version}' },
  {
    rule: 'template-injection',
    name: 'java class in an expression',
    // Spring EL / Thymeleaf `${T(java.lang.Runtime)…}`, `*{T(…)}`; `${t('key')}` (i18n) has quotes.
    regex: /[$*#@~]\{[^{}]*\bt\s*\(\s*[a-z_]+(?:\.[a-z_$]+)+\s*\)/,
    example: '${t(java.lang.runtime).getruntime().exec("id")}',
    contexts: EVERYWHERE,
  },
  { rule: 'template-injection', name: 'java reflection', regex: /\bt\s*\(\s*java\.|java\.lang\.(?:runtime|processbuilder)\b|\bgetruntime\s*\(\s*\)\s*\.\s*exec\s*\(|getclass\s*\(\s*\)\s*\.\s*(?:forname|getclassloader|getprotectiondomain|getmethod)\b/, example: 'java.lang.runtime' },
  {
    rule: 'template-injection',
    name: 'code in a template tag',
    regex: new RegExp(String.raw`<%[=\-#]?\s*(?:import\b|${SHELL_CALL}\s*\(|\x60|%x|file\s*\.\s*(?:open|read)|io\s*\.\s*popen|eval\s*\(|require\b|process\b|global\b|runtime\b|os\s*\.)|#\{\s*(?:%x|\x60|system\b|exec\b|io\s*\.\s*popen|file\s*\.|eval\b)`),
    example: "<%= system('id') %>",
    contexts: EVERYWHERE,
  },
  {
    rule: 'template-injection',
    name: 'runtime in an expression',
    regex: new RegExp(String.raw`\$\{[^{}]*(?:process|require|constructor|global|import|__import__|popen|runtime|getclass|self\.module|os\.system)\b|\{\{[^{}]*(?:constructor|__proto__|\$on\.|process\.|require\s*\()`),
    example: '${process.mainmodule}',
  },
  // Smarty runs a PHP function named in braces: `{system('id')}`.
  { rule: 'template-injection', name: 'shell call in braces', regex: new RegExp(String.raw`\{\s*${SHELL_CALL}\s*\(`), example: "{system('ls')}" },
  {
    rule: 'template-injection',
    name: 'runtime reached from an expression',
    regex: /\$\{[^{}]*(?:require\s*\(|constructor\s*\.\s*constructor|mainmodule|child_process|__import__|popen\s*\(|getruntime|os\.system|self\.module)|\{\{[^{}]*(?:constructor\s*\.\s*constructor|constructor\s*\(|\$on\.|require\s*\()/,
    example: "${require('child_process')}",
    contexts: PROSE_ONLY,
  },
  { rule: 'template-injection', name: 'template statement', regex: /\{%-?\s*(?:import|from|debug|load|include|extends|set|for|macro|call|raw)\b/, example: '{% import os %}' },
  { rule: 'template-injection', name: 'template globals', regex: /\{\{\s*(?:config|settings|request|self|lipsum|cycler|joiner|namespace|url_for|get_flashed_messages|_self|dump|app)\b/, example: '{{config.items()}}' },
  // `${{<%[%'"}}%\`: openers of different engines in a row, the polyglot that finds which one runs.
  { rule: 'template-injection', name: 'template polyglot', regex: /(?:\{\{|<%|\[%|\$\{)\s*(?:<%|\[%|\{\{|\$\{)/, example: "${{<%[%'\"}}%\\" },
];
