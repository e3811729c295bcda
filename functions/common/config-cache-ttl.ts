/** How long an instance keeps an operator config (budgets, rules, ban policy) before reading it again. */
export const CONFIG_CACHE_MILLISECONDS = 10_000;

/** `GOVERNOR_CONFIG_CACHE_MILLISECONDS` overrides it for every config a function caches. */
export function configCacheMilliseconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GOVERNOR_CONFIG_CACHE_MILLISECONDS;
  if (raw === undefined || raw === '') return CONFIG_CACHE_MILLISECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`GOVERNOR_CONFIG_CACHE_MILLISECONDS must be a non-negative integer, got "${raw}"`);
  return value;
}
