import { isCommonWord } from './common-words';
import { STOP_WORDS, stem } from './text-features';

/** Words that flip a request's meaning: prompts differing in them (or in what they negate) never share an answer. */
const NEGATIONS = new Set('not no never none nor without except neither cannot dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt cant couldnt avoid exclude excluding unless'.split(' '));

/** Number words, folded to digits where they are plain counts ("five tips" meets "5 tips"). */
const NUMBER_WORDS: ReadonlyMap<string, string> = mapOf({
  ...Object.fromEntries('zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'.split(' ').map((w, i) => [w, String(i)])),
  ...Object.fromEntries('thirty forty fifty sixty seventy eighty ninety'.split(' ').map((w, i) => [w, String(30 + 10 * i)])),
  hundred: '100', thousand: '1000', million: '1000000', billion: '1000000000', dozen: '12',
  ...Object.fromEntries('first second third fourth fifth sixth seventh eighth ninth tenth half double triple'.split(' ').map((w) => [w, w])),
});

/** Words that order what stands around them ("USD to EUR", "tenant to landlord", "X versus Y"), folded to one form each. */
const RELATIONS: ReadonlyMap<string, string> = mapOf({ to: 'to', into: 'to', onto: 'to', toward: 'to', towards: 'to', from: 'from', versus: 'vs', vs: 'vs', against: 'vs', than: 'than', over: 'over', with: 'with', before: 'before', after: 'after', instead: 'instead' });

/** Persons as one form each, for "from me to you" and its mirror (elsewhere pronouns are filler: "could you … for me"). */
const PERSONS: ReadonlyMap<string, string> = mapOf({ i: 'me', me: 'me', my: 'me', mine: 'me', you: 'you', your: 'you', yours: 'you', he: 'him', him: 'him', his: 'him', she: 'her', her: 'her', hers: 'her', we: 'us', us: 'us', our: 'us', they: 'them', them: 'them', their: 'them' });

/** Tense: "who was the CEO" is not "who is the CEO". Present and modal forms are filler ("how do I", "could you"). */
const PAST = new Set('was were did had'.split(' '));
const FUTURE = new Set('will shall'.split(' '));

/** Relative time: a modifier before a unit ("this year", "last quarter", "next two weeks"), folded to one form each. */
const PERIOD_MODIFIERS: ReadonlyMap<string, string> = mapOf({ this: 'this', current: 'this', next: 'next', coming: 'next', upcoming: 'next', following: 'next', last: 'last', previous: 'last', prior: 'last', past: 'past', same: 'same' });
const PERIOD_UNITS: ReadonlyMap<string, string> = new Map(
  'minute hour day week weekend fortnight month quarter semester season year decade century millennium morning afternoon evening night'
    .split(' ')
    .flatMap((u): [string, string][] => [[u, u], [u === 'century' ? 'centuries' : u === 'millennium' ? 'millennia' : `${u}s`, u]]),
);
/** Time words that stand alone; adverbs fold to their unit ("monthly" → month). */
const PERIOD_WORDS: ReadonlyMap<string, string> = mapOf({
  ...Object.fromEntries('today tonight tomorrow yesterday now currently recently lately ago annual ytd weekday weekdays'.split(' ').map((w) => [w, w])),
  hourly: 'hour', daily: 'day', nightly: 'night', weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year', annually: 'year',
  // "may" and "fall" are left out: far more often a verb than a month or a season.
  ...Object.fromEntries('monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october november december spring summer autumn winter'.split(' ').map((w) => [w, w])),
});

/** Lists as Maps: a prompt word such as "constructor" must not find Object.prototype. */
function mapOf(record: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(record));
}

const URL_OR_EMAIL = /\bhttps?:\/\/\S+|\b[\w.+-]+@[\w-]+\.[\w.]+/gu;
const QUOTED = /["“”]([^"“”]{1,200})["“”]/gu;
/** A number (1,000 / 3.5), a word (letters and digits), or a sentence boundary. */
const TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{N}])|[\p{L}\p{N}]+|[.!?;:](?=\s|$)/gu;

type Token = { text: string; boundary: boolean };

function tokens(text: string): Token[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ text: m[0], boundary: /^[.!?;:]$/.test(m[0]) }));
}

/** A token that carries meaning on its own (not a stop or relation word, not punctuation). */
function isContent(t: Token | undefined): boolean {
  return t !== undefined && !t.boundary && !STOP_WORDS.has(t.text) && !RELATIONS.has(t.text);
}

/** The nearest content token from `i` in direction `step`, within the sentence. */
function neighbour(ts: readonly Token[], i: number, step: 1 | -1): string | undefined {
  for (let j = i + step; j >= 0 && j < ts.length && !ts[j]!.boundary; j += step) {
    if (isContent(ts[j])) return /^\p{N}/u.test(ts[j]!.text) ? ts[j]!.text.replace(/,/g, '') : stem(ts[j]!.text);
  }
  return undefined;
}

/** The nearest content word after `i`, or a person ("from me to you"), within the sentence. */
function personOrNeighbour(ts: readonly Token[], i: number): string | undefined {
  const next = ts[i + 1];
  return next && PERSONS.has(next.text) ? PERSONS.get(next.text) : neighbour(ts, i, 1);
}

/**
 * What must be identical for two prompts to share an answer however similar they read, each kind
 * in the order it appears: numbers (digits and number words), names and rare terms (content words
 * outside everyday English, whatever their case), periods ("this year", "last quarter",
 * "monthly"), relations (what stands either side of to/from/into/versus/than/with…, so
 * "USD to EUR" never meets "EUR to USD"), negations with what they negate, quoted text and URLs.
 * Computed on the lower-cased text: case alone neither hides nor invents a name.
 */
export function salientSignature(text: string): string[] {
  const kinds = { n: new Set<string>(), t: new Set<string>(), p: new Set<string>(), d: new Set<string>(), not: new Set<string>(), tense: new Set<string>(), q: new Set<string>(), u: new Set<string>() };
  let folded = text.normalize('NFKC').toLowerCase();
  for (const m of folded.matchAll(URL_OR_EMAIL)) kinds.u.add(m[0].replace(/[.,;:!?)]+$/, ''));
  folded = folded.replace(URL_OR_EMAIL, ' ');
  for (const m of folded.matchAll(QUOTED)) kinds.q.add(m[1]!.trim());
  const ts = tokens(folded.replace(/['’]/g, ''));
  const usedUnits = new Set<number>();
  ts.forEach((t, i) => {
    const w = t.text;
    if (t.boundary) return;
    if (PAST.has(w) || (w.length > 4 && w.endsWith('ed') && !STOP_WORDS.has(w))) kinds.tense.add('past');
    if (FUTURE.has(w)) kinds.tense.add('future');
    if (/^\p{N}/u.test(w) && !/\p{L}/u.test(w)) kinds.n.add(w.replace(/,/g, ''));
    else if (NUMBER_WORDS.has(w)) kinds.n.add(NUMBER_WORDS.get(w)!);
    else if (NEGATIONS.has(w)) kinds.not.add(neighbour(ts, i, 1) ?? '');
    else if (RELATIONS.has(w)) {
      const before = neighbour(ts, i, -1);
      const after = neighbour(ts, i, 1);
      if (before !== undefined && after !== undefined) kinds.d.add(`${before}>${RELATIONS.get(w)}>${after}`);
      // "from A to B" keeps its ends even when they are persons: "from me to you" ≠ "from you to me".
      const to = w === 'from' ? ts.findIndex((x, j) => j > i && RELATIONS.get(x.text) === 'to' && !ts.slice(i, j).some((y) => y.boundary)) : -1;
      const [a, b] = to > 0 ? [personOrNeighbour(ts, i), personOrNeighbour(ts, to)] : [];
      if (a !== undefined && b !== undefined) kinds.d.add(`${a}>from-to>${b}`);
    } else if (PERIOD_MODIFIERS.has(w)) {
      // "last 3 years", "next fiscal year": one word (a count, a qualifier) may stand between.
      const at = [i + 1, i + 2].find((j) => PERIOD_UNITS.has(ts[j]?.text ?? '') && (j === i + 1 || isContent(ts[i + 1]) || /^\p{N}/u.test(ts[i + 1]!.text)));
      if (at !== undefined) {
        kinds.p.add(`${PERIOD_MODIFIERS.get(w)}-${PERIOD_UNITS.get(ts[at]!.text)}`);
        usedUnits.add(at);
      }
    } else if (PERIOD_UNITS.has(w)) {
      if (!usedUnits.has(i)) kinds.p.add(PERIOD_UNITS.get(w)!);
    } else if (PERIOD_WORDS.has(w)) kinds.p.add(PERIOD_WORDS.get(w)!);
    else if (isContent(t) && (/\p{N}/u.test(w) || !isCommonWord(w))) kinds.t.add(w);
  });
  // Periods and tense are sets ("a 3 day trip in spring" = "a trip in spring for 3 days"); their order lives in the relations.
  const sorted = new Set(['p', 'tense']);
  return Object.entries(kinds).flatMap(([kind, values]) => (sorted.has(kind) ? [...values].sort() : [...values]).map((v) => `${kind}:${v}`));
}
