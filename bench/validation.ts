/**
 * bench/validation — issues #16 and #26: the input validator's detection per attack family and
 * false positives per benign kind in each context (tuning and held-out corpora), its throughput
 * on the corpora in each context, and its worst case on adversarial inputs of 64 KB (the issue's
 * strings and pumps generated from every detector), against benign text of the same length
 * measured in the same run. For the choice of engine, the same detector table is also run by
 * V8's backtracking RegExp, one pattern at a time.
 */
import { normalizeForDetection } from '../shared/security/normalize-input';
import { safeText } from '../shared/security/request-schemas';
import { DETECTION_CONTEXTS, runsIn, THREAT_PATTERNS, THREAT_RULES } from '../shared/security/threat-patterns';
import { fixed, table } from './bench-support';
import { benignText, generatedPumps, knownPumps, type Pump } from './redos-pumps';
import { attackCorpus, benignCorpus, BENIGN_KINDS, corpusRates, formatRate, type CorpusSet } from './validation-corpus';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LENGTH = Number(process.env.BENCH_LENGTH ?? 65_536);

const SETS: readonly CorpusSet[] = ['tuning', 'holdout'];

/** Every string of every corpus (attacks and benign texts, tuning and held-out). */
function corpus(): string[] {
  return SETS.flatMap((set) => [...attackCorpus(set).map((a) => a.payload), ...BENIGN_KINDS.flatMap((kind) => benignCorpus(set, kind))]);
}

/** Detection per family and false positives per benign kind, for each corpus set and context. */
function printRates(): void {
  for (const set of SETS) {
    const rates = DETECTION_CONTEXTS.map((context) => ({ context, ...corpusRates(set, context) }));
    console.log(`\n${set} corpus (${set === 'holdout' ? 'written before tuning, never tuned on' : 'the detectors were written against it'})`);
    console.log(table([
      ['', ...rates.map((r) => `${r.context} context`)],
      ...THREAT_RULES.map((rule) => [`${rule} detected`, ...rates.map((r) => formatRate(r.detection[rule]))]),
      ...BENIGN_KINDS.map((kind) => [`${kind} benign flagged`, ...rates.map((r) => formatRate(r.falsePositives[kind]))]),
    ]));
  }
}

/** Strings per second through `check` over the corpus, repeated for `SECONDS`. */
function throughput(texts: readonly string[], check: (text: string) => unknown): number {
  for (const t of texts) check(t); // warm-up
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    for (const t of texts) check(t);
    n += texts.length;
  }
  return n / ((performance.now() - started) / 1000);
}

/** Best of three, in milliseconds: the least disturbed run is the cost of the input. */
function timeOnce(check: (text: string) => unknown, text: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    check(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function main(): void {
  printRates();
  const texts = corpus();
  const schema = safeText({ maxLength: LENGTH });
  const check = (t: string) => schema.safeParse(t);
  const prose = safeText({ maxLength: LENGTH, context: 'prose' });
  const v8Patterns = THREAT_PATTERNS.filter((p) => runsIn(p, 'field')).map((p) => p.regex);
  const v8 = (t: string) => {
    const n = normalizeForDetection(t);
    return v8Patterns.some((r) => r.test(n));
  };

  const rate = throughput(texts, check);
  const proseRate = throughput(texts, (t) => prose.safeParse(t));
  const v8Rate = throughput(texts, v8);
  console.log(`\ncorpus: ${texts.length} strings (tuning + held-out, attacks + benign)`);
  console.log(table([
    ['engine', 'strings/s'],
    ['safeText().safeParse (RE2 via re2js, one automaton per context)', fixed(rate, 0)],
    ["safeText({ context: 'prose' }).safeParse", fixed(proseRate, 0)],
    ['field table, V8 RegExp one pattern at a time (for comparison)', fixed(v8Rate, 0)],
  ]));

  const baseline = timeOnce(check, benignText(LENGTH, texts));
  const pumps: Pump[] = [...knownPumps(LENGTH), ...generatedPumps(LENGTH)];
  const timed = pumps.map((p) => ({ ...p, ms: timeOnce(check, p.text), v8Ms: timeOnce(v8, p.text) }));
  timed.sort((a, b) => b.ms - a.ms);
  const worst = timed[0] as (typeof timed)[number];
  const worstV8 = Math.max(...timed.map((t) => t.v8Ms));
  console.log(`\n${pumps.length} adversarial inputs of ${LENGTH} characters; benign text of the same length: ${fixed(baseline, 2)} ms`);
  console.log(table([
    ['input', 'ms', '× benign', 'V8 ms'],
    ...timed.slice(0, 8).map((t) => [t.name.slice(0, 70), fixed(t.ms, 2), fixed(t.ms / baseline, 1), fixed(t.v8Ms, 2)]),
  ]));
  console.log(`\nworst case per ${LENGTH} characters: ${fixed(worst.ms, 2)} ms (${fixed(worst.ms / baseline, 1)}× benign), V8 on the same patterns ${fixed(worstV8, 2)} ms`);
  const over = timeOnce(check, '<'.repeat(LENGTH + 1));
  console.log(`one character over maxLength: ${fixed(over, 3)} ms (refused before decoding)`);
}

main();
