import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_BREAKER_CONFIG, parseBreakerConfig, type BreakerConfig } from '../runaway/breaker-rule';
import { CONFIG_DOCS } from '../basics/collections';
import { loadValidatedConfig, updateValidatedConfig, type ConfigDocument, type LoadedConfig } from './validated-config';

const BREAKERS: ConfigDocument<BreakerConfig> = {
  doc: CONFIG_DOCS.breakers,
  lastGoodDoc: CONFIG_DOCS.breakersLastGood,
  parse: parseBreakerConfig,
  defaults: DEFAULT_BREAKER_CONFIG,
};

/** The burn-rate breaker rules in force (stored if valid, else the last good, else none). */
export function loadBreakerConfig(db: Firestore): Promise<LoadedConfig<BreakerConfig>> {
  return loadValidatedConfig(db, BREAKERS);
}

/** Changes the rules in a transaction; a change that does not validate throws and changes nothing. */
export function updateBreakerConfig(db: Firestore, change: (current: BreakerConfig) => BreakerConfig): Promise<BreakerConfig> {
  return updateValidatedConfig(db, BREAKERS, change);
}
