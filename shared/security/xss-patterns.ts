import { EVERYWHERE, PROSE_ONLY, spread, type ThreatPattern } from './threat-rules';

const NS = String.raw`(?:[a-z0-9_-]+:)?`; // `<html:script>`, `<svg:set>`: a namespace prefix
// Functions an injected handler or script break-out calls to show it runs or to steal.
const SINK = String.raw`(?:alert|prompt|confirm|eval)`;
const HANDLER_CODE = String.raw`(?:alert|prompt|confirm|eval|fetch|import|atob|document|window|location|top|self|parent|this|settimeout|setinterval|string\.fromcharcode|navigator|xmlhttprequest|javascript)\b`;
const SCRIPT_URL = String.raw`(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|l\s*i\s*v\s*e\s*s\s*c\s*r\s*i\s*p\s*t)\s*:`;
const HTML_DATA = String.raw`\s*:\s*(?:text\/html|image\/svg[\s+]xml|application\/(?:x-)?javascript)`;

/**
 * XSS, from the OWASP filter-evasion cheat sheet, PortSwigger's XSS cheat sheet and
 * PayloadsAllTheThings. In a field, any piece of markup that runs script (a script or
 * dangerous tag, a handler, a script URL, a break-out of a JS string or an attribute); in
 * prose, where "should my `<script>` tags go in the head?" is a normal question, only a complete
 * script element, a tag whose handler calls something, or a script URL that calls something.
 */
export const XSS_PATTERNS: readonly ThreatPattern[] = [
  { rule: 'xss', name: 'script tag', regex: new RegExp(String.raw`<[\s%]*(?:\/\s*)?${NS}${spread('script')}\b`), example: '<html:script>alert(1)</html:script>' },
  { rule: 'xss', name: 'script element', regex: /<\s*script\b[^<>]*>[^<]*<\s*\/\s*script/, example: '<script>alert(1)</script>', contexts: PROSE_ONLY },
  { rule: 'xss', name: 'event handler in a tag', regex: /<[^<>]*[\s/"']on[a-z]{3,}\s*=/, example: '<img src=x onerror=alert(1)>' },
  { rule: 'xss', name: 'handler that runs code', regex: new RegExp(String.raw`<[a-z][^<>]*[\s/"']on[a-z]{3,}\s*=\s*(?:['"\x60]\s*)?${HANDLER_CODE}`), example: '<svg onload=alert(1)>', contexts: PROSE_ONLY },
  // `" autofocus onfocus="…`: a quote closes the attribute, a handler follows (no `<` needed).
  { rule: 'xss', name: 'attribute break-out', regex: /['"`][^'"`<>=]*[\s/]on[a-z]{3,}\s*=/, example: '" onmouseover="alert(1)' },
  { rule: 'xss', name: 'attribute break-out that runs code', regex: new RegExp(String.raw`['"\x60][^'"\x60<>=]*[\s/]on[a-z]{3,}\s*=\s*(?:['"\x60]\s*)?${HANDLER_CODE}`), example: '" onmouseover="alert(1)', contexts: PROSE_ONLY },
  { rule: 'xss', name: 'javascript: url', regex: new RegExp(String.raw`(?:^|[\s\x00-\x1f"'\x60=(<])${SCRIPT_URL}`), example: '<a href="javascript:alert(1)">' },
  { rule: 'xss', name: 'javascript: url that runs code', regex: new RegExp(String.raw`(?:^|[\s\x00-\x1f"'\x60=(<])${SCRIPT_URL}\s*${HANDLER_CODE}`), example: 'javascript:alert(document.domain)', contexts: PROSE_ONLY },
  { rule: 'xss', name: 'dangerous tag', regex: new RegExp(String.raw`<\s*${NS}(?:iframe|frame|object|embed|applet|meta|base|svg|math|link|style|form|isindex|xml|xss)\b`), example: '<iframe src=//evil.example>' },
  {
    rule: 'xss',
    name: 'svg animation of a handler',
    regex: new RegExp(String.raw`<\s*${NS}(?:set|animate|animatemotion|animatetransform)\b[^<>]*\battributename\s*=\s*(?:['"]\s*)?(?:on[a-z]{3,}|href|xlink:href)\b`),
    example: '<set attributename="onmouseover" to="alert(1)"/>',
    contexts: EVERYWHERE,
  },
  { rule: 'xss', name: 'data: html url', regex: new RegExp(spread('data') + HTML_DATA), example: 'data:text/html;base64,phnjcmlwdd4=' },
  // In prose only a complete URL (a `,` after its media type and parameters) counts, not a mention.
  { rule: 'xss', name: 'data: html url with content', regex: new RegExp(String.raw`data${HTML_DATA}(?:;[a-z0-9=_-]*)*,`), example: 'data:text/html;base64,phnjcmlwdd4=', contexts: PROSE_ONLY },
  { rule: 'xss', name: 'css expression', regex: /(?:expression|behaviou?r)\s*\(|-moz-binding\s*:/, example: 'width: expression(alert(1))' },
  { rule: 'xss', name: 'srcdoc attribute', regex: /\bsrcdoc\s*=/, example: '<x srcdoc="<b>x</b>">' },
  // `'-alert(1)-'`, `";alert`1`//`: a quote closes a JS string, an operator joins a call to it.
  { rule: 'xss', name: 'js string break-out', regex: new RegExp(String.raw`['"\x60]\s*[-+*\/%^|&,;)]+\s*${SINK}\s*[(\x60]`), example: "'-alert(1)-'", contexts: EVERYWHERE },
  { rule: 'xss', name: 'backtick call', regex: new RegExp(String.raw`\b${SINK}\s*\x60`), example: 'alert`1`' },
  { rule: 'xss', name: 'sink as a callback', regex: new RegExp(String.raw`\(\s*${SINK}\s*\)`), example: '[1].find(alert)' },
  // `top[/al/.source+/ert/.source](1)`, `window['al'+'ert'](1)`, `parent["alert"](1)` (a `+`
  // may have been read as a form-encoded space).
  {
    rule: 'xss',
    name: 'computed global call',
    regex: new RegExp(String.raw`\b(?:top|self|window|parent|frames|globalthis|opener|content)\s*\[(?:[^\[\]]*(?:\+|\.source\b|['"\x60]\s+['"\x60])|\s*['"\x60]${SINK}\b)`),
    example: 'top[/al/.source+/ert/.source](1)',
  },
];
