/** The prompts of bench/cache.ts: tasks asked in several wordings, and pairs that must not share an answer. */

export const TASKS = [
  'reset my password on the admin console',
  'export the monthly invoices as a CSV file',
  'configure single sign-on for the workspace',
  'write a product description for a stainless steel water bottle',
  'summarize the quarterly sales report for the board',
  'translate the onboarding guide into Spanish',
  'draft an apology email for a delayed shipment',
  'explain the difference between TCP and UDP',
  'generate a weekly meal plan for a vegetarian family',
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
] as const;

/** Rewordings that keep the content words (what the offline embedder is built to catch). */
export const REWORDINGS: readonly ((task: string) => string)[] = [
  (t) => `How do I ${t}?`,
  (t) => `how can I ${t}`,
  (t) => `Please ${t}.`,
  (t) => `Could you ${t} for me?`,
];

/** Paraphrases with different words (synonyms): a real embedding model's job. */
export const SYNONYM_PARAPHRASES: readonly [string, string][] = [
  ['Summarize the quarterly sales report for the board', 'Give the board a short summary of the sales report for the quarter'],
  ['Explain how compound interest works', 'What is compound interest and how does it work?'],
  ['Write a haiku about autumn leaves', 'Compose a haiku on falling leaves in fall'],
  ['Describe the benefits of regular stretching', 'Why is stretching every day good for you?'],
  ['Suggest names for a coffee shop near the beach', 'Give me name ideas for a beachside cafe'],
  ['Reset my password on the admin console', 'I forgot my admin console password, how do I get a new one?'],
  ['Draft an apology email for a delayed shipment', 'Write an email saying sorry that an order shipped late'],
  ['Explain the difference between TCP and UDP', 'TCP vs UDP: what sets them apart?'],
];

/** Pairs whose answers differ although they read alike: numbers, negations, names. */
export const MUST_NOT_MATCH: readonly { kind: 'numbers' | 'negations' | 'names'; a: string; b: string }[] = [
  { kind: 'numbers', a: 'Write 5 tips for learning Rust', b: 'Write 10 tips for learning Rust' },
  { kind: 'numbers', a: 'Generate a weekly meal plan for a family of 4', b: 'Generate a weekly meal plan for a family of 6' },
  { kind: 'numbers', a: 'Explain compound interest at 3% over 10 years', b: 'Explain compound interest at 7% over 10 years' },
  { kind: 'numbers', a: 'List the top three risks of the project', b: 'List the top five risks of the project' },
  { kind: 'numbers', a: 'Summarize the sales report for 2025', b: 'Summarize the sales report for 2026' },
  { kind: 'numbers', a: 'Write a 200 word product description for a water bottle', b: 'Write a 500 word product description for a water bottle' },
  { kind: 'negations', a: 'Write a poem that rhymes about the sea', b: 'Write a poem that does not rhyme about the sea' },
  { kind: 'negations', a: 'Suggest a dinner recipe with nuts', b: 'Suggest a dinner recipe without nuts' },
  { kind: 'negations', a: 'Explain why the migration should use downtime', b: 'Explain why the migration should never use downtime' },
  { kind: 'negations', a: 'List hotels in Lisbon that allow pets', b: "List hotels in Lisbon that don't allow pets" },
  { kind: 'negations', a: 'Write a review that recommends the phone', b: 'Write a review that does not recommend the phone' },
  { kind: 'names', a: 'Draft a welcome email to Alice about the onboarding plan', b: 'Draft a welcome email to Bob about the onboarding plan' },
  { kind: 'names', a: 'Summarize the history of Rome for a school report', b: 'Summarize the history of Athens for a school report' },
  { kind: 'names', a: 'Compare the iPhone camera with the Pixel camera', b: 'Compare the iPhone camera with the Galaxy camera' },
  { kind: 'names', a: 'Write a short biography of Marie Curie', b: 'Write a short biography of Ada Lovelace' },
  { kind: 'names', a: 'Plan a three day trip to Kyoto in spring', b: 'Plan a three day trip to Osaka in spring' },
  { kind: 'names', a: 'Translate the onboarding guide into Spanish', b: 'Translate the onboarding guide into German' },
];
