import { OptionsError } from '../../../shared/contracts/validation-error';
import type { Logger } from '../../../shared/logging/logger';
import { firstPriceOf } from '../../../shared/pricing/price-overrides';
import { PRICE_TABLE } from '../../../shared/pricing/price-data';
import type { PriceTable } from '../../../shared/pricing/price-table';
import type { UnknownModelPolicy } from '../../../shared/pricing/provisional-price';
import { loadPriceTable } from '../../../shared/store/price-overrides-store';
import { repriceProvisional } from '../../../shared/store/spend-corrections';
import { firestore } from '../clients';
import { settings } from '../settings';

export const PRICE_SOURCE_DEFAULTS = {
  // After a refresh finds a price for a model this instance charged provisionally, commits still in
  // flight land before the re-pricing query runs.
  repriceDelayMilliseconds: 5_000,
} as const;

/** `GOVERNOR_UNKNOWN_MODEL_PRICE`: the priced model unknown models are charged as (default: the dearest of their family). */
export function unknownModelPolicy(env: NodeJS.ProcessEnv = process.env): UnknownModelPolicy {
  // Blank counts as unset, as for every setting.
  const chargeAs = env.GOVERNOR_UNKNOWN_MODEL_PRICE?.trim() || undefined;
  if (chargeAs !== undefined && !/^[\w.:/@-]{1,128}$/.test(chargeAs)) throw new OptionsError([{ path: 'GOVERNOR_UNKNOWN_MODEL_PRICE', message: `a model name, got "${chargeAs}"` }]);
  return chargeAs ? { chargeAs } : {};
}

export interface PriceSource {
  /** The table in force (built-in + stored entries, re-read at most every config-cache interval) and the unknown-model policy. */
  current(): Promise<{ table: PriceTable; unknownModels: UnknownModelPolicy }>;
  /** A model this instance charged provisionally: re-priced here as soon as a refresh finds its price. */
  chargedProvisionally(model: string): void;
}

/** Prices as a function instance uses them: stored entries join without a redeploy. */
export function priceSource(log: Logger): PriceSource {
  const unknownModels = unknownModelPolicy();
  const cacheMilliseconds = settings().configCacheMilliseconds;
  const pending = new Set<string>();
  let cached: { table: PriceTable; at: number } | undefined;
  let loading: Promise<PriceTable> | undefined;
  let lastRejected = '';

  const reprice = (table: PriceTable, model: string) => {
    pending.delete(model);
    const timer = setTimeout(() => {
      repriceProvisional(firestore(), table, model)
        .then((r) => log.info(r, `re-priced ${r.repriced} provisional charge(s) of ${model}`))
        .catch((error: unknown) => {
          pending.add(model);
          log.error({ model, err: (error as Error).message }, 're-pricing failed; retried after the next price refresh');
        });
    }, PRICE_SOURCE_DEFAULTS.repriceDelayMilliseconds);
    timer.unref();
  };

  const load = async (): Promise<PriceTable> => {
    const loaded = await loadPriceTable(firestore());
    const rejected = JSON.stringify(loaded.rejected);
    if (loaded.rejected.length > 0 && rejected !== lastRejected) log.error({ rejected: loaded.rejected }, 'stored price entries left out (invalid)');
    lastRejected = rejected;
    for (const model of [...pending]) if (firstPriceOf(loaded.table, model)) reprice(loaded.table, model);
    cached = { table: loaded.table, at: Date.now() };
    return loaded.table;
  };

  return {
    async current() {
      if (cached && Date.now() - cached.at < cacheMilliseconds) return { table: cached.table, unknownModels };
      loading ??= load()
        .catch((error: unknown) => {
          // Stored entries unreadable: price with what was in force (the built-in table at first); the next call tries again.
          log.warn({ err: (error as Error).message }, 'could not read stored price entries');
          return cached?.table ?? PRICE_TABLE;
        })
        .finally(() => (loading = undefined));
      return { table: await loading, unknownModels };
    },
    chargedProvisionally(model) {
      pending.add(model);
    },
  };
}
