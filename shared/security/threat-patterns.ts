import { JS_PATTERNS } from './js-patterns';
import { NOSQL_PATTERNS } from './nosql-patterns';
import { PATH_PATTERNS } from './path-patterns';
import { SQL_PATTERNS } from './sql-patterns';
import { TEMPLATE_PATTERNS } from './template-patterns';
import { DEFAULT_DETECTION_CONTEXT, type DetectionContext, type ThreatPattern } from './threat-rules';
import { XSS_PATTERNS } from './xss-patterns';

export { THREAT_RULES, DETECTION_CONTEXTS, DEFAULT_DETECTION_CONTEXT } from './threat-rules';
export type { ThreatRule, ThreatPattern, DetectionContext } from './threat-rules';

/**
 * Every detector, matched on normalized text (one file per family). Each needs attack
 * structure (a tag with a handler, a quote closing into a boolean, a `..` followed by a
 * separator), so prose with apostrophes, angle brackets in math and ordinary SQL or JS in code
 * samples mostly pass; the README reports the measured rates on the corpora in test/fixtures.
 *
 * They run on RE2 (linear time whatever the input), and are also written so that a backtracking
 * engine would run them in linear time: no nested or adjacent overlapping quantifiers, and every
 * unbounded scan stops at the character that could start the next match (`[^<>]*`, `[^{}]*`), so
 * the unanchored search cannot rescan. The test suite checks each with recheck.
 */
export const THREAT_PATTERNS: readonly ThreatPattern[] = [...XSS_PATTERNS, ...SQL_PATTERNS, ...PATH_PATTERNS, ...JS_PATTERNS, ...TEMPLATE_PATTERNS, ...NOSQL_PATTERNS];

/** Whether `pattern` runs in `context` (patterns without `contexts` run in fields only). */
export function runsIn(pattern: ThreatPattern, context: DetectionContext): boolean {
  return (pattern.contexts ?? [DEFAULT_DETECTION_CONTEXT]).includes(context);
}
