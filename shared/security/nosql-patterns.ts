import { EVERYWHERE, PROSE_ONLY, sameSidesUnquoted, type ThreatPattern } from './threat-rules';

// MongoDB query and aggregation operators an attacker smuggles into a value.
const OPERATOR = String.raw`\$(?:ne|eq|gte?|lte?|n?in|regex|where|exists|not|n?or|and|expr|function|accumulator|elemmatch|all|size|type|mod|text|lookup|comment|jsonschema|options|search)\b`;
const QUOTE = String.raw`['"\x60]`;

/**
 * NoSQL (MongoDB) injection, from PayloadsAllTheThings' NoSQL page and the OWASP testing guide:
 * an operator where a value was expected (`{"$ne": null}`, `password[$ne]=1` in a query string
 * that qs turns into an object) and a break-out of a string inside `$where` JavaScript
 * (`';return true;var x='`). In prose, where "{ createdAt: { $gt: start } }" is a normal
 * question, only the query-string form, a `$where` key and a break-out that returns.
 */
export const NOSQL_PATTERNS: readonly ThreatPattern[] = [
  { rule: 'nosql-injection', name: 'operator as a key', regex: new RegExp(String.raw`[{,]\s*${QUOTE}?${OPERATOR}${QUOTE}?\s*:`), example: '{"password": {"$ne": null}}' },
  { rule: 'nosql-injection', name: '$where key', regex: new RegExp(String.raw`[{,]\s*${QUOTE}?\$(?:where|function|accumulator)${QUOTE}?\s*:`), example: '{"$where": "sleep(100)"}', contexts: PROSE_ONLY },
  { rule: 'nosql-injection', name: 'operator in a query string', regex: new RegExp(String.raw`\[\s*${QUOTE}?${OPERATOR}${QUOTE}?\s*\]`), example: 'password[$ne]=1' },
  { rule: 'nosql-injection', name: 'operator parameter', regex: new RegExp(String.raw`\[\s*${OPERATOR}\s*\]\s*(?:\[\s*\]\s*)?=`), example: 'password[$ne]=1', contexts: PROSE_ONLY },
  {
    rule: 'nosql-injection',
    name: 'js string break-out',
    regex: new RegExp(String.raw`${QUOTE}\s*(?:;|\|\||&&)\s*(?:return\b|sleep\s*\(|while\s*\(|this\s*\.|db\s*\.)`),
    example: "';return true;var x='",
  },
  { rule: 'nosql-injection', name: 'js string break-out that returns', regex: new RegExp(String.raw`${QUOTE}\s*;\s*return(?:\s*\(\s*|\s+)(?:true|1|this|db)\b|${QUOTE}\s*;\s*(?:sleep|while)\s*\(|${QUOTE}\s*(?:\|\||&&)\s*this\s*\.`), example: "';return true;var x='", contexts: PROSE_ONLY },
  // `' || '1'=='1`: the JS form of a tautology (RE2 has no back-references: `confirm` compares).
  { rule: 'nosql-injection', name: 'js tautology', regex: new RegExp(String.raw`${QUOTE}\s*(?:\|\||&&)\s*(${QUOTE}\w*${QUOTE}|\w+)\s*===?\s*(${QUOTE}\w*|\w+)`), confirm: sameSidesUnquoted, example: "' || '1'=='1", contexts: EVERYWHERE },
];
