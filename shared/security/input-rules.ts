import { LinearMatcher } from './linear-matcher';
import { hasNullByte, normalizeForDetection } from './normalize-input';
import { THREAT_PATTERNS, THREAT_RULES, type ThreatRule } from './threat-patterns';

export { THREAT_RULES } from './threat-patterns';
export type { ThreatRule } from './threat-patterns';

export interface ThreatMatch {
  rule: ThreatRule;
  /** The pattern family that matched (for the rejection message and the audit log). */
  pattern: string;
}

// Compiled once at load: a pattern RE2 cannot run throws here, not on a request.
const MATCHER = new LinearMatcher(THREAT_PATTERNS);

/** Every threat found in a string (empty when it looks benign); linear time in its length. */
export function detectThreats(text: string, rules: readonly ThreatRule[] = THREAT_RULES): ThreatMatch[] {
  const normalized = normalizeForDetection(text);
  const found: ThreatMatch[] = MATCHER.matches(normalized, (p) => rules.includes(p.rule)).map((p) => ({ rule: p.rule, pattern: p.name }));
  if (rules.includes('path-traversal') && !found.some((f) => f.rule === 'path-traversal') && hasNullByte(text)) {
    found.push({ rule: 'path-traversal', pattern: 'null byte' });
  }
  return found;
}
