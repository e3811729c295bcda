import type { Logger } from '../../shared/logging/logger';
import type { LoadedConfig } from '../../shared/store/validated-config';
import { settings } from './settings';

/**
 * An operator config (budgets, alert rules, ban policy, alert routing) as an instance uses it:
 * read at most every `GOVERNOR_CONFIG_CACHE_MILLISECONDS` (2 s), one read shared by concurrent
 * callers. A stored config that fails validation is reported at ERROR once per change, and the
 * last good one stays in force.
 *
 * A config that was used is read again when it expires, even if nothing asks for it then, and a
 * new version is announced to `onChange`: what an instance decided under the old version in the
 * meantime (a budget gate that skipped, a ban check, an unrouted alert) is decided again under the
 * new one. So a change made while an instance holds the old config takes effect within one cache
 * interval without waiting for the next event.
 */
export interface CachedConfig<T> {
  /** The config in force and the version of the stored document it came from. */
  (): Promise<LoadedConfig<T>>;
  /** Forgets the cached config (a write found it stale, or a tick wants a fresh read). */
  invalidate(): void;
  /** Stops the expiry re-read (tests; an instance lives until it is stopped). */
  stop(): void;
}

export interface CachedConfigOptions<T> {
  /** How long a read config is used; default `GOVERNOR_CONFIG_CACHE_MILLISECONDS`. */
  cacheMilliseconds?: number;
  /**
   * Told when a read finds a version other than the one before it (not on the first read), after
   * the new config is in force. Its failure is logged; the next change or tick decides again.
   */
  onChange?: (loaded: LoadedConfig<T>, previousVersion: number) => Promise<void> | void;
}

/** `what` names the config in log lines ("budget config", "ban policy", …). */
export function cachedConfig<T>(load: () => Promise<LoadedConfig<T>>, log: Logger, what: string, options: CachedConfigOptions<T> = {}): CachedConfig<T> {
  const cacheMilliseconds = options.cacheMilliseconds ?? settings().configCacheMilliseconds;
  let cached: { loaded: LoadedConfig<T>; at: number } | undefined;
  let loading: Promise<LoadedConfig<T>> | undefined;
  let lastRejection: string | undefined;
  let lastVersion: number | undefined;
  let usedSinceRead = false;
  let expiryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const reload = (): Promise<LoadedConfig<T>> => {
    loading ??= load()
      .then((loaded) => {
        if (loaded.rejected && loaded.rejected !== lastRejection) {
          log.error({ reason: loaded.rejected, using: loaded.origin }, `stored ${what} is invalid; the last good one stays in force`);
        }
        if (loaded.warning) log.warn({ reason: loaded.warning }, what);
        lastRejection = loaded.rejected;
        cached = { loaded, at: Date.now() };
        usedSinceRead = false;
        const previous = lastVersion;
        lastVersion = loaded.version;
        if (previous !== undefined && previous !== loaded.version) announce(loaded, previous);
        return loaded;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const announce = (loaded: LoadedConfig<T>, previous: number): void => {
    log.info({ version: loaded.version, previousVersion: previous }, `${what} changed; deciding again under the new one`);
    if (!options.onChange) return;
    // Not awaited: the caller that triggered the read gets its config now; the re-decision runs beside it.
    Promise.resolve()
      .then(() => options.onChange?.(loaded, previous))
      .catch((error: unknown) => log.error({ err: error }, `deciding again under the new ${what} failed; the next change or tick decides`));
  };

  // A config used since it was read is read again when it expires: a change stored meanwhile is
  // then acted on without waiting for a caller. An unused config is not re-read (an idle instance
  // reads nothing).
  const scheduleExpiryRead = (): void => {
    if (stopped || expiryTimer || !cached || cacheMilliseconds <= 0) return;
    expiryTimer = setTimeout(() => {
      expiryTimer = undefined;
      if (!usedSinceRead) return;
      reload().catch((error: unknown) => log.warn({ err: error }, `${what} could not be read again; the next use retries`));
    }, Math.max(0, cached.at + cacheMilliseconds - Date.now()));
    expiryTimer.unref();
  };

  const get = async (): Promise<LoadedConfig<T>> => {
    const loaded = cached && Date.now() - cached.at < cacheMilliseconds ? cached.loaded : await reload();
    usedSinceRead = true;
    scheduleExpiryRead();
    return loaded;
  };
  return Object.assign(get, {
    invalidate() {
      cached = undefined;
    },
    stop() {
      stopped = true;
      clearTimeout(expiryTimer);
      expiryTimer = undefined;
    },
  });
}
