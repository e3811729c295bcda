/** The attack classes the detectors know. */
export const THREAT_RULES = ['xss', 'sql-injection', 'path-traversal', 'js-injection', 'template-injection', 'nosql-injection'] as const;
export type ThreatRule = (typeof THREAT_RULES)[number];

/**
 * Where a text is going, which decides what counts as an attack. `field`: a value a program
 * uses (a name, a query parameter, a title) — any attack shape, even a probe, is refused.
 * `prose`: free text written to a model (a prompt, a chat message), where mentioning code is
 * normal — only what would execute is refused (a complete tag with a handler that calls
 * something, a tautology closing a quote, a traversal that reaches a system file).
 */
export const DETECTION_CONTEXTS = ['field', 'prose'] as const;
export type DetectionContext = (typeof DETECTION_CONTEXTS)[number];

/** The context `safeText()` and `detectThreats()` use when none is given: the strict one. */
export const DEFAULT_DETECTION_CONTEXT: DetectionContext = 'field';

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
  /** The contexts the pattern runs in; `field` only when absent (a probe, not something that executes). */
  contexts?: readonly DetectionContext[];
}

/** For a pattern that runs in both contexts: it matches only what executes. */
export const EVERYWHERE: readonly DetectionContext[] = DETECTION_CONTEXTS;
/** For the narrower form of a field pattern, written for prose. */
export const PROSE_ONLY: readonly DetectionContext[] = ['prose'];

export const sameSides = (groups: readonly string[]) => groups[0] === groups[1];
/** For sides captured with their quotes (`'1'` and `'1`, the closing quote left to the query). */
export const sameSidesUnquoted = (groups: readonly string[]) => unquote(groups[0]) === unquote(groups[1]);
const unquote = (side: string | undefined) => (side ?? '').replace(/['"`]/g, '');

/**
 * A keyword whose letters may be split by control characters (`<scr&#x9;ipt>`, `da&#x0a;ta:`):
 * each gap is one class disjoint from the letters, so the pattern stays linear.
 */
export function spread(word: string): string {
  return [...word].join('[\\x01-\\x1f]*');
}
