/** Words that carry no meaning for matching prompts ("how do I" vs "how can I"). */
const STOP_WORDS = new Set(
  'a an the and or of to in on at for from by with about into over is are was were be been being am do does did can could would should will shall may might must i me my we our you your it its this that these those there here what which who whom how please tell give show let us some any'.split(' '),
);

/** Words that flip a request's meaning: prompts differing in them never share an answer. */
const NEGATIONS = new Set('not no never none nor without except neither cannot dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt cant couldnt avoid exclude excluding unless'.split(' '));

const NUMBER_WORDS = new Set(
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth half double triple dozen'.split(' '),
);

/** Lower-cased word tokens, apostrophes folded ("don't" → "dont"). */
export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A light stem, so "summarize"/"summarizing" and "articles"/"article" meet. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  return word.replace(/(ization|izing|ized|izes|ize|ising|ised|ise|ations|ation|ings|ing|edly|ed|ies|es|s|ly)$/u, '') || word;
}

/** Meaningful stems of a prompt (stop words removed). */
export function contentStems(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w))
    .map(stem);
}

/**
 * What must be identical for two prompts to share an answer however similar they read: the
 * numbers, the negations, the names (capitalised words not opening a sentence, and all-caps or
 * mixed-case tokens), quoted text and URLs. Sorted, so word order does not matter.
 */
export function salientSignature(text: string): string[] {
  const out = new Set<string>();
  const normalized = text.normalize('NFKC');
  for (const m of normalized.matchAll(/\p{N}+(?:[.,]\p{N}+)*/gu)) out.add(`n:${m[0].replace(/,/g, '')}`);
  for (const w of words(normalized)) {
    if (NEGATIONS.has(w)) out.add(`not:${w}`);
    if (NUMBER_WORDS.has(w)) out.add(`n:${w}`);
  }
  for (const m of normalized.matchAll(/["“”]([^"“”]{1,200})["“”]/gu)) out.add(`q:${m[1]!.toLowerCase()}`);
  for (const m of normalized.matchAll(/\bhttps?:\/\/\S+|\b[\w.+-]+@[\w-]+\.[\w.]+/gu)) out.add(`u:${m[0].toLowerCase()}`);
  // Names: a capitalised word that does not open a sentence, or any token with a capital after its first letter.
  for (const m of normalized.matchAll(/(^|[.!?:;]\s+|\n\s*)?(\p{Lu}[\p{L}\p{N}]*)/gu)) {
    const token = m[2]!;
    const opensSentence = m[1] !== undefined || m.index === 0;
    const innerCapital = /^\p{Lu}.*\p{Lu}/u.test(token) || /\p{N}/u.test(token);
    // The pronoun "I" is not a name.
    if ((!opensSentence || innerCapital) && token !== 'I') out.add(`name:${token.toLowerCase()}`);
  }
  return [...out].sort();
}
