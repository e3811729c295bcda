import type { Firestore } from '@google-cloud/firestore';
import type { BudgetConfig } from '../../../shared/budget/budget-config';
import type { Logger } from '../../../shared/logging/logger';
import { loadBudgetConfig } from '../../../shared/store/budget-config-store';

/** How long an instance uses a loaded config before reading it again: a `budget set` applies within this. */
export const CONFIG_CACHE_MILLISECONDS = 10_000;

/**
 * The budget config, read at most every 10 s per instance. A stored config that fails validation
 * is reported at ERROR (once per change) and the last good one stays in force.
 */
export function cachedBudgetConfig(db: () => Firestore, log: Logger, cacheMilliseconds = CONFIG_CACHE_MILLISECONDS): () => Promise<BudgetConfig> {
  let cached: { config: BudgetConfig; at: number } | undefined;
  let loading: Promise<BudgetConfig> | undefined;
  let lastRejection: string | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < cacheMilliseconds) return cached.config;
    loading ??= loadBudgetConfig(db())
      .then((loaded) => {
        if (loaded.rejected && loaded.rejected !== lastRejection) {
          log.error({ reason: loaded.rejected, using: loaded.origin }, 'stored budget config is invalid; the last good config stays in force');
        }
        lastRejection = loaded.rejected;
        cached = { config: loaded.config, at: Date.now() };
        return loaded.config;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}
