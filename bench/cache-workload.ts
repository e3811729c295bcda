/**
 * The Zipf workload of bench/cache.ts: 150 intents — many of them near twins that must not share
 * an answer (swapped order, periods, numbers, names, negations, another verb on the same object) —
 * asked with Zipf popularity, 40 % of requests in a reworded form (case, filler, punctuation,
 * typos, synonyms). Seeded, so every run asks the same sequence.
 */
export interface Intent {
  id: number;
  prompt: string;
}

const TASKS = [
  'reset my password on the admin console',
  'export the monthly invoices as a CSV file',
  'configure single sign-on for the workspace',
  'write a product description for a stainless steel water bottle',
  'explain the difference between TCP and UDP',
  'generate a meal plan for a vegetarian family',
  'write unit tests for a function that parses dates',
  'outline a blog post about remote work productivity',
  'create a marketing tagline for an electric bicycle brand',
  'explain how compound interest works',
  'write a cover letter for a data analyst position',
  'summarize the plot of a mystery novel set in Venice',
  'list the steps to deploy a container to Cloud Run',
  'suggest names for a coffee shop near the beach',
  'describe the benefits of regular stretching',
  'write a haiku about autumn leaves',
  'explain what a vector database is used for',
  'draft an apology email for a delayed shipment',
  'explain why the sky is blue',
  'give me a recipe for banana bread',
];
const VERBS = ['summarize', 'translate into French', 'proofread', 'shorten', 'list the action items in', 'write a title for'];
const OBJECTS = ['the quarterly sales report', 'the onboarding guide', 'the privacy policy', 'the release notes', 'the board meeting minutes', 'the incident postmortem', 'the product roadmap', 'the customer survey results', 'the hiring plan', 'the security audit'];

/** The 150 intents, twins next to each other. */
export function intents(): Intent[] {
  const prompts = [
    ...TASKS.map((t) => t[0]!.toUpperCase() + t.slice(1)),
    ...VERBS.flatMap((v) => OBJECTS.map((o) => `${v[0]!.toUpperCase()}${v.slice(1)} ${o}`)),
    ...[['USD', 'EUR'], ['EUR', 'USD'], ['GBP', 'JPY'], ['JPY', 'GBP'], ['USD', 'CHF'], ['CHF', 'USD']].map(([a, b]) => `Convert 100 ${a} to ${b}`),
    ...[['tenant', 'landlord'], ['manager', 'new employee'], ['customer', 'support team'], ['teacher', 'parents']].flatMap(([a, b]) => [`Write a letter from the ${a} to the ${b}`, `Write a letter from the ${b} to the ${a}`]),
    ...[['London', 'Paris'], ['Madrid', 'Lisbon'], ['Berlin', 'Vienna']].flatMap(([a, b]) => [`Find train connections from ${a} to ${b}`, `Find train connections from ${b} to ${a}`]),
    ...['English to German', 'German to English', 'English to Spanish', 'Spanish to English'].map((d) => `Translate the welcome page from ${d}`),
    ...['this year', 'last year', 'next year', 'this quarter', 'last quarter', 'next quarter'].map((p) => `Summarize our cloud spending for ${p}`),
    ...['last decade', 'last century', 'this decade'].map((p) => `What were the defining technology trends of the ${p}?`),
    ...['today', 'tomorrow', 'next week'].map((p) => `Plan my schedule for ${p}`),
    ...['weekly', 'monthly', 'quarterly'].map((p) => `Write the ${p} status report for the platform team`),
    ...[3, 5, 10].flatMap((n) => [`Write ${n} tips for learning Rust`, `Write ${n} tips for learning Go`]),
    ...['london', 'paris', 'berlin', 'tokyo'].map((c) => `what is the weather like in ${c} this weekend`),
    ...['Alice', 'Bob', 'Carol'].map((n) => `Draft a welcome email to ${n} about the onboarding plan`),
    ...['with nuts', 'without nuts'].map((w) => `Suggest a dinner recipe ${w}`),
    ...['rhymes', 'does not rhyme'].map((w) => `Write a poem that ${w} about the sea`),
    ...['enable', 'disable'].map((w) => `How do I ${w} two factor authentication?`),
    ...[3, 5, 7].map((r) => `Explain compound interest at ${r}% over 10 years`),
    ...[2024, 2025, 2026].map((y) => `Summarize the annual sales report for ${y}`),
    ...[['cheetah', 'horse'], ['horse', 'cheetah']].map(([a, b]) => `Is a ${a} faster than a ${b}?`),
    ...[['MySQL', 'PostgreSQL'], ['PostgreSQL', 'MySQL']].map(([a, b]) => `Migrate the orders database from ${a} to ${b}`),
    ...[['Celsius', 'Fahrenheit'], ['Fahrenheit', 'Celsius']].map(([a, b]) => `Convert 30 degrees ${a} to ${b}`),
  ];
  return prompts.map((prompt, id) => ({ id, prompt }));
}

/** mulberry32: a small seeded generator, so runs are comparable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf popularity (exponent 1) over a shuffled ranking of `n` items: returns a sampler of indexes. */
export function zipf(n: number, random: () => number, exponent = 1): () => number {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const weights = order.map((_, rank) => 1 / (rank + 1) ** exponent);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w) => (cumulative.push((acc + w) / total), acc + w), 0);
  return () => {
    const u = random();
    const rank = cumulative.findIndex((c) => c >= u);
    return order[rank === -1 ? n - 1 : rank]!;
  };
}

const SYNONYMS: Readonly<Record<string, string>> = { write: 'compose', summarize: 'sum up', explain: 'describe', suggest: 'propose', list: 'enumerate', create: 'come up with', draft: 'prepare', give: 'share', find: 'look up', plan: 'organise', generate: 'produce' };

export const REWORDING_KINDS = ['case', 'filler', 'punctuation', 'typo', 'synonym'] as const;
export type RewordingKind = (typeof REWORDING_KINDS)[number];

/** A reworded form of the prompt (the same intent), of a kind drawn with fixed odds. */
export function reword(prompt: string, random: () => number): { kind: RewordingKind; prompt: string } {
  const u = random();
  const bare = prompt.replace(/[?.!]$/, '');
  const lower = bare[0]!.toLowerCase() + bare.slice(1);
  if (u < 0.3) {
    const pick = Math.floor(random() * 3);
    const text = pick === 0 ? prompt.toLowerCase() : pick === 1 ? prompt.toUpperCase() : prompt.replace(/\b\p{Ll}/gu, (c) => c.toUpperCase());
    return { kind: 'case', prompt: text };
  }
  if (u < 0.65) {
    const forms = [`Please ${lower}.`, `Could you ${lower} for me?`, `Can you ${lower}?`, `I need to ${lower}.`, `${bare}, thanks!`, `Hey, ${lower}`];
    return { kind: 'filler', prompt: forms[Math.floor(random() * forms.length)]! };
  }
  if (u < 0.8) return { kind: 'punctuation', prompt: `${bare}${['?', '!', ' ...', ';'][Math.floor(random() * 4)]}` };
  if (u < 0.9) {
    const words = prompt.split(' ');
    const long = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 6);
    if (!long.length) return { kind: 'punctuation', prompt: `${bare}?` };
    const [w, i] = long[Math.floor(random() * long.length)]!;
    const at = 1 + Math.floor(random() * (w.length - 3));
    words[i] = w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2);
    return { kind: 'typo', prompt: words.join(' ') };
  }
  const first = bare.split(' ')[0]!.toLowerCase();
  const synonym = SYNONYMS[first];
  return synonym ? { kind: 'synonym', prompt: `${synonym[0]!.toUpperCase()}${synonym.slice(1)}${bare.slice(first.length)}` } : { kind: 'case', prompt: prompt.toLowerCase() };
}
