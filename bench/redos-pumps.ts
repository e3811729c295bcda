import { THREAT_PATTERNS } from '../shared/security/threat-patterns';

/** An adversarial input and where it came from (for the failure message and the report). */
export interface Pump {
  name: string;
  text: string;
}

/** Repeats `unit` until the text is `length` characters long (cut to fit). */
function fill(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/**
 * The strings of issue #16 (found against the backtracking detectors) and the attack strings
 * recheck reported for them, each grown to `length` characters.
 */
export function knownPumps(length: number): Pump[] {
  const grow = (name: string, prefix: string, unit: string, suffix = '') => ({ name, text: prefix + fill(unit, Math.max(0, length - prefix.length - suffix.length)) + suffix });
  return [
    grow('union + /**/ repeated (exponential before)', 'union ', '/**/', ' x'),
    grow('‹ repeated', '', '‹'),
    grow('< repeated', '', '<'),
    grow('<a repeated', '', '<a'),
    grow('${ repeated', '', '${'),
    grow('{{ repeated', '', '{{'),
    grow('a/* repeated', '', 'a/*'),
    grow('< then tabs', '<', '\t'),
    grow('nan=< repeated', '', 'nan=<', 'aoo='),
    grow('quote then tabs', '"', '\t', 's'),
    grow('quote then tabs, by', '"', '\t', '\tby\t0'),
    grow('union/* select*/all/* repeated', 'union/*', '/select*/all/*\x00', '/select'),
    grow('NUL 0/* repeated', '', '\x000/*', '/*!'),
    grow('constructor then tabs', 'constructor\t', '\t', '"prototype'),
    grow('{${c repeated', 'm', '{${c', '}'),
    grow('%25 repeated (decoding)', '', '%25'),
    grow('&#x repeated (decoding)', '', '&#x3c'),
    grow('\\u repeated (decoding)', '', '\\u003'),
    grow('fullwidth ＜ repeated (NFKC)', '', '＜'),
    grow('ﷺ repeated (expands 18× under NFKC)', '', '\ufdfa'),
  ];
}

/**
 * Pumps generated from each detector's example (prefix + pump + failing suffix, the shape of every
 * ReDoS): each short prefix of the example repeated, the prefix followed by a run of each
 * character class the patterns use, and the example minus its last character repeated.
 */
export function generatedPumps(length: number): Pump[] {
  const pumps: Pump[] = [];
  for (const { rule, name, example } of THREAT_PATTERNS) {
    const id = `${rule}/${name}`;
    for (let k = 1; k <= Math.min(4, example.length); k++) {
      const prefix = example.slice(0, k);
      pumps.push({ name: `${id}: "${prefix}" repeated`, text: fill(prefix, length) });
      for (const filler of [' ', '\t', 'a', '0', '(', ')', "'", '*']) {
        pumps.push({ name: `${id}: "${prefix}" + ${JSON.stringify(filler)}×n`, text: prefix + fill(filler, length - prefix.length) + '!' });
      }
    }
    pumps.push({ name: `${id}: near miss repeated`, text: fill(example.slice(0, -1) + ' ', length) });
  }
  return pumps;
}

/** A benign text of `length` characters, the baseline the pumps are compared against. */
export function benignText(length: number, corpus: readonly string[]): string {
  return fill(`${corpus.join(' ')} `, length);
}
