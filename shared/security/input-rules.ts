import { LinearMatcher } from './linear-matcher';
import { hasNullByte, normalizeForDetection } from './normalize-input';
import { DEFAULT_DETECTION_CONTEXT, DETECTION_CONTEXTS, runsIn, THREAT_PATTERNS, THREAT_RULES, type DetectionContext, type ThreatRule } from './threat-patterns';

export { THREAT_RULES, DETECTION_CONTEXTS } from './threat-patterns';
export type { ThreatRule, DetectionContext } from './threat-patterns';

export interface ThreatMatch {
  rule: ThreatRule;
  /** The pattern family that matched (for the rejection message and the audit log). */
  pattern: string;
}

export interface DetectOptions {
  /** The rules to look for (default: all). */
  rules?: readonly ThreatRule[];
  /** `field` (default): any attack shape; `prose`: only what would execute (see DETECTION_CONTEXTS). */
  context?: DetectionContext;
}

// Compiled once at load, one automaton per context: a pattern RE2 cannot run throws here, not on a request.
const MATCHERS = new Map(DETECTION_CONTEXTS.map((context) => [context, new LinearMatcher(THREAT_PATTERNS.filter((p) => runsIn(p, context)))] as const));

/**
 * Every threat found in a string (empty when it looks benign); linear time in its length.
 * `options` may also be a list of rules (the form before contexts existed).
 */
export function detectThreats(text: string, options: DetectOptions | readonly ThreatRule[] = {}): ThreatMatch[] {
  if (isRuleList(options)) return detectThreats(text, { rules: options });
  const rules = options.rules ?? THREAT_RULES;
  const context = options.context ?? DEFAULT_DETECTION_CONTEXT;
  const matcher = MATCHERS.get(context);
  if (!matcher) throw new Error(`unknown detection context "${String(context)}" (one of ${DETECTION_CONTEXTS.join(', ')})`);
  const normalized = normalizeForDetection(text);
  const found: ThreatMatch[] = matcher.matches(normalized, (p) => rules.includes(p.rule)).map((p) => ({ rule: p.rule, pattern: p.name }));
  // A NUL byte truncates a path in C-backed file APIs: a probe in a field, ordinary in no prose.
  if (context === 'field' && rules.includes('path-traversal') && !found.some((f) => f.rule === 'path-traversal') && hasNullByte(text)) {
    found.push({ rule: 'path-traversal', pattern: 'null byte' });
  }
  return found;
}

function isRuleList(options: DetectOptions | readonly ThreatRule[]): options is readonly ThreatRule[] {
  return Array.isArray(options);
}
