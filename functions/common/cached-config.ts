import type { Logger } from '../../shared/logging/logger';
import type { LoadedConfig } from '../../shared/store/validated-config';
import { settings } from './settings';

/**
 * An operator config (budgets, alert rules, ban policy, alert routing) as an instance uses it:
 * read at most every `GOVERNOR_CONFIG_CACHE_MILLISECONDS` (10 s), one read shared by concurrent
 * callers. A stored config that fails validation is reported at ERROR once per change, and the
 * last good one stays in force.
 */
export interface CachedConfig<T> {
  /** The config in force and the version of the stored document it came from. */
  (): Promise<LoadedConfig<T>>;
  /** Forgets the cached config (a write found it stale). */
  invalidate(): void;
}

/** `what` names the config in log lines ("budget config", "ban policy", …). */
export function cachedConfig<T>(load: () => Promise<LoadedConfig<T>>, log: Logger, what: string, cacheMilliseconds = settings().configCacheMilliseconds): CachedConfig<T> {
  let cached: { loaded: LoadedConfig<T>; at: number } | undefined;
  let loading: Promise<LoadedConfig<T>> | undefined;
  let lastRejection: string | undefined;
  const get = async (): Promise<LoadedConfig<T>> => {
    if (cached && Date.now() - cached.at < cacheMilliseconds) return cached.loaded;
    loading ??= load()
      .then((loaded) => {
        if (loaded.rejected && loaded.rejected !== lastRejection) {
          log.error({ reason: loaded.rejected, using: loaded.origin }, `stored ${what} is invalid; the last good one stays in force`);
        }
        if (loaded.warning) log.warn({ reason: loaded.warning }, what);
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
