import type { Firestore } from '@google-cloud/firestore';
import type { Logger } from '../../../shared/logging/logger';
import { loadBudgetConfig, type LoadedBudgetConfig } from '../../../shared/store/budget-config-store';

import { CONFIG_CACHE_MILLISECONDS } from '../config-cache-ttl';

/**
 * The budget config, read at most every 10 s per instance. A stored config that fails validation
 * is reported at ERROR (once per change) and the last good one stays in force.
 */
export interface CachedBudgetConfig {
  /** The config in force and the version of the stored document it came from. */
  (): Promise<LoadedBudgetConfig>;
  /** Forgets the cached config (a write found it stale). */
  invalidate(): void;
}

export function cachedBudgetConfig(db: () => Firestore, log: Logger, cacheMilliseconds = CONFIG_CACHE_MILLISECONDS): CachedBudgetConfig {
  let cached: { loaded: LoadedBudgetConfig; at: number } | undefined;
  let loading: Promise<LoadedBudgetConfig> | undefined;
  let lastRejection: string | undefined;
  const get = async (): Promise<LoadedBudgetConfig> => {
    if (cached && Date.now() - cached.at < cacheMilliseconds) return cached.loaded;
    loading ??= loadBudgetConfig(db())
      .then((loaded) => {
        if (loaded.rejected && loaded.rejected !== lastRejection) {
          log.error({ reason: loaded.rejected, using: loaded.origin }, 'stored budget config is invalid; the last good config stays in force');
        }
        if (loaded.warning) log.warn({ reason: loaded.warning }, 'budget config');
        lastRejection = loaded.rejected;
        cached = { loaded, at: Date.now() };
        return loaded;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  return Object.assign(get, {
    invalidate() {
      cached = undefined;
    },
  });
}
