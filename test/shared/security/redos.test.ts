import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from 'recheck';
import { benignText, generatedPumps, knownPumps, type Pump } from '../../../bench/redos-pumps';
import { repoRoot } from '../../../bin/stack/repo-root';
import { THREAT_PATTERNS } from '../../../shared/security/threat-patterns';
import { safeText, validateRequest } from '../../../shared/security/request-schemas';
import { benignCorpus } from '../../../bench/validation-corpus';

/** The regexes of the decoding steps, read from the source so a new one cannot be forgotten. */
function decodingPatterns(): RegExp[] {
  const source = readFileSync(join(repoRoot(), 'shared/security/normalize-input.ts'), 'utf8');
  return [...source.matchAll(/\.(?:replace|test)\((\/(?:\\.|[^/\n])+\/[a-z]*)/g)].map((m) => {
    const literal = m[1] as string;
    const end = literal.lastIndexOf('/');
    return new RegExp(literal.slice(1, end), literal.slice(end + 1));
  });
}

/** Best of `runs`, in milliseconds: the least disturbed run is the input's own cost. */
function cost(check: (text: string) => unknown, text: string, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    check(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const LENGTH = 32_768;
// Generous: a match makes the matcher name the pattern (a pass per pattern); a quadratic or
// exponential detector costs thousands of times the benign check at this length.
const MAX_RATIO = 100;

describe('input validation under adversarial input', () => {
  describe('recheck (ReDoS analyser)', () => {
    const patterns = [
      ...THREAT_PATTERNS.map((p) => ({ name: `${p.rule}/${p.name}`, regex: p.regex })),
      ...decodingPatterns().map((regex) => ({ name: `decoding ${regex.source}`, regex })),
    ];

    it('finds the decoding steps in the source', () => {
      expect(patterns.length).toBeGreaterThan(THREAT_PATTERNS.length + 10);
    });

    // Detectors run on RE2, linear by construction; recheck also holds the table to linear time
    // under a backtracking engine, so no pattern with nested or overlapping quantifiers gets in.
    // recheck's fuzzer calls an attack string that runs longer than 1 s (250 ms in incubation)
    // vulnerable: on a loaded machine a long linear scan did. Without those time limits its verdict
    // rests on counted VM steps (attackLimit, 1.5e9), the same on any machine for a given seed.
    it.each(patterns)('rates $name safe', async ({ regex }) => {
      const result = await check(regex.source, regex.flags, { timeout: 240_000, randomSeed: 16, attackTimeout: null, incubationTimeout: null });
      expect({ status: result.status, attack: result.status === 'vulnerable' ? result.attack.pattern : undefined }).toEqual({ status: 'safe', attack: undefined });
    }, 300_000);
  });

  describe('safeText', () => {
    const schema = safeText({ maxLength: 10 * LENGTH });
    const validate = (text: string) => schema.safeParse(text);
    const pumps: Pump[] = [...knownPumps(LENGTH), ...generatedPumps(LENGTH)];

    it('checks every pump in time comparable to benign text of the same length', () => {
      const benign = benignText(LENGTH, benignCorpus());
      const baseline = Math.max(cost(validate, benign, 5), 0.05);
      const slow = pumps.map((p) => ({ name: p.name, ratio: cost(validate, p.text) / baseline })).filter((p) => p.ratio > MAX_RATIO);
      expect(pumps.length).toBeGreaterThan(500);
      expect(slow).toEqual([]);
    }, 300_000);

    it('refuses text over maxLength before decoding or detecting anything', () => {
      const limited = safeText({ maxLength: LENGTH });
      // An attack inside the over-long text is not reported: no detector looked at it.
      const over = `<img src=x onerror=alert(1)>${'<'.repeat(LENGTH * 4)}`;
      const result = validateRequest(limited, over);
      expect(result.ok === false && result.violations).toEqual([{ field: '(body)', rule: 'too_big', message: `too long: ${over.length} characters, at most ${LENGTH}` }]);
      // Refusing is constant time: far cheaper than checking a benign text of the limit's length.
      const refusal = cost((t) => limited.safeParse(t), over, 5);
      const checking = cost((t) => limited.safeParse(t), benignText(LENGTH, benignCorpus()), 5);
      expect(refusal).toBeLessThan(checking / 10);
    });
  });
});
