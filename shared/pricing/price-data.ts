import { parsePriceTable, type PriceTable } from './price-table';

const SEED = "seed report of Governor's Python predecessor (budget_controller.py), 2025-12-27";
const API_PAGE =
  'ai.google.dev/gemini-api/docs/pricing (standard paid tier, text), as quoted by api-evangelist/gemini ' +
  'gemini-plans-pricing.yml read 2026-09-20 and api-evangelist/deepmind read 2026-10-07; not checked against the live page';
const CACHE_COPY =
  'cached input: eidast/ai-models-stats docs/GOOGLE_PRICING.md (a scraper\'s copy of ai.google.dev/gemini-api/docs/pricing), ' +
  'added 2026-12-07 (no event carried cached tokens before, so no recorded price changes)';
const PRO_CACHE_THREAD = 'discuss.ai.google.dev/t/question-about-gemini-api-caching-pricing/107349 quoting the pricing page ($0.125 ≤ 200k, $0.25 > 200k)';
const FLASH3_PAGE = 'factquire.com/models/google/gemini-3-flash-preview.json quoting ai.google.dev/gemini-api/docs/pricing (accessed 2026-07-04)';
const FLASH35_CACHE = 'cached input at 10 % of input: byteiota.com/gemini-flash-pricing-cache-cost-fix and betterhackernews.com/item/48242210; not on the quoted page copies';

/**
 * Governor's price table. Per-character prices are the seed's; per-token prices are Gemini API
 * list prices (USD per 1M tokens; output includes thinking). Each entry names its source; update
 * by adding an entry with a new `effectiveFrom`, never by editing history (events are priced on
 * the day they occurred) — or, without a redeploy, with `governor prices add` (price-overrides.ts).
 */
export const PRICE_TABLE: PriceTable = parsePriceTable({
  models: [
    // The seed's per-1K-character prices.
    { model: 'gemini-1.5-flash', unit: 'char', per: 1000, input: '0.00002', output: '0.00006', effectiveFrom: '2024-05-14', source: SEED },
    {
      model: 'gemini-1.5-pro',
      unit: 'char',
      per: 1000,
      input: '0.00005',
      output: '0.00015',
      effectiveFrom: '2024-05-14',
      source: SEED,
      cheaperAlternative: 'gemini-1.5-flash',
    },
    { model: 'gemini-pro-vision', unit: 'char', per: 1000, input: '0.00005', output: '0.00005', perImage: '0.0025', effectiveFrom: '2023-12-13', source: SEED },

    // Gemini 2.5 (GA 2025-06-17; announced for retirement on 2026-12-01).
    {
      model: 'gemini-2.5-pro',
      unit: 'token',
      per: 1_000_000,
      input: '1.25',
      output: '10.00',
      cachedInput: '0.125',
      longContext: { aboveInputUnits: 200_000, input: '2.50', output: '15.00', cachedInput: '0.25' },
      effectiveFrom: '2025-06-17',
      source: `${API_PAGE}; ${CACHE_COPY}; long-context cached input: ${PRO_CACHE_THREAD}`,
      cheaperAlternative: 'gemini-2.5-flash',
    },
    {
      model: 'gemini-2.5-flash',
      unit: 'token',
      per: 1_000_000,
      input: '0.30',
      output: '2.50',
      audioInput: '1.00',
      cachedInput: '0.03',
      effectiveFrom: '2025-06-17',
      source: `${API_PAGE} (audio input 1.00); ${CACHE_COPY}; cached audio not found: charged at the audio rate`,
      cheaperAlternative: 'gemini-2.5-flash-lite',
    },
    { model: 'gemini-2.5-flash-lite', unit: 'token', per: 1_000_000, input: '0.10', output: '0.40', cachedInput: '0.01', effectiveFrom: '2025-07-22', source: `${API_PAGE}; ${CACHE_COPY}; no audio rate found: audio at the input rate` },
    { model: 'gemini-embedding-001', unit: 'token', per: 1_000_000, input: '0.15', output: '0', effectiveFrom: '2025-07-14', source: `eidast/ai-models-stats docs/GOOGLE_PRICING.md (embeddings); ${API_PAGE} ("File search embeddings … $0.15 / 1M tokens")` },

    // Gemini 3 previews (3 Pro Preview was followed by 3.1 Pro Preview; kept for calls still made to it).
    {
      model: 'gemini-3-pro-preview',
      unit: 'token',
      per: 1_000_000,
      input: '2.00',
      output: '12.00',
      cachedInput: '0.20',
      longContext: { aboveInputUnits: 200_000, input: '4.00', output: '18.00' },
      effectiveFrom: '2025-11-18',
      source: `${CACHE_COPY.replace('cached input: ', '')}; long-context cached rate not found: charged at the long-context input rate`,
      cheaperAlternative: 'gemini-3-flash-preview',
    },
    { model: 'gemini-3-flash-preview', unit: 'token', per: 1_000_000, input: '0.50', output: '3.00', audioInput: '1.00', cachedInput: '0.05', effectiveFrom: '2025-12-17', source: FLASH3_PAGE },

    // Gemini 3.x.
    {
      model: 'gemini-3.1-pro-preview',
      unit: 'token',
      per: 1_000_000,
      input: '2.00',
      output: '12.00',
      longContext: { aboveInputUnits: 200_000, input: '4.00', output: '18.00' },
      effectiveFrom: '2026-02-19',
      source: `${API_PAGE}; no cached rate found: cached input charged at the input rate`,
      cheaperAlternative: 'gemini-3.5-flash',
    },
    {
      model: 'gemini-3.5-flash',
      unit: 'token',
      per: 1_000_000,
      input: '1.50',
      output: '9.00',
      cachedInput: '0.15',
      effectiveFrom: '2026-05-19',
      source: `${API_PAGE}; ${FLASH35_CACHE}`,
      cheaperAlternative: 'gemini-3.5-flash-lite',
    },
    { model: 'gemini-3.5-flash-lite', unit: 'token', per: 1_000_000, input: '0.30', output: '2.50', effectiveFrom: '2026-07-21', source: `${API_PAGE} ("text / image / video / audio": one input rate); one source only` },
    { model: 'gemini-3.1-flash-lite', unit: 'token', per: 1_000_000, input: '0.25', output: '1.50', effectiveFrom: '2026-05-07', audioInput: '0.50', source: API_PAGE },
    // Launch price until 2026-12-31, list price from 2027-01-01: two entries, one per period.
    { model: 'gemini-3.8-flash', unit: 'token', per: 1_000_000, input: '0.75', output: '3.75', effectiveFrom: '2026-09-02', source: `${API_PAGE}; launch price` },
    { model: 'gemini-3.8-flash', unit: 'token', per: 1_000_000, input: '1.50', output: '7.50', effectiveFrom: '2027-01-01', source: `${API_PAGE}; list price after the launch offer` },
    { model: 'gemini-embedding-2', unit: 'token', per: 1_000_000, input: '0.20', output: '0', effectiveFrom: '2026-09-20', source: `${API_PAGE} ("Gemini Embedding 2 text input $0.20"); effectiveFrom is the first copy's read date` },
  ],
  infrastructure: [
    { resource: 'storage', unit: 'GB-month', usdPerUnit: '0.02', effectiveFrom: '2024-01-01', source: SEED },
    { resource: 'egress', unit: 'GB', usdPerUnit: '0.12', effectiveFrom: '2024-01-01', source: SEED },
    { resource: 'firestoreReads', unit: 'read', usdPerUnit: '0.0000006', effectiveFrom: '2024-01-01', source: `${SEED} ($0.06 per 100K)` },
    { resource: 'firestoreWrites', unit: 'write', usdPerUnit: '0.0000018', effectiveFrom: '2024-01-01', source: `${SEED} ($0.18 per 100K)` },
    { resource: 'cloudRunVcpu', unit: 'vCPU-second', usdPerUnit: '0.000024', effectiveFrom: '2024-01-01', source: SEED },
    { resource: 'cloudRunMemory', unit: 'GB-second', usdPerUnit: '0.0000025', effectiveFrom: '2024-01-01', source: SEED },
    { resource: 'redis', unit: 'GB-month', usdPerUnit: '0.054', effectiveFrom: '2024-01-01', source: SEED },
  ],
});
