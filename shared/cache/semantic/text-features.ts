/**
 * Words that carry no meaning for matching prompts ("how do I" vs "could you … for me"). Relation
 * words (to, from, into, with…) are among them for the embedder's bag of words; the salient
 * signature keeps what they relate, in order.
 */
export const STOP_WORDS = new Set(
  'a an the and or of to in on at for from by with about into onto over is are was were be been being am do does did can could would should will shall may might must i me my we our you your it its this that these those there here what which who whom how please tell give show let us some any kindly want wants need needs help like just also thanks hey hi'.split(' '),
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
