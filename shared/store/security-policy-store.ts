import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_BAN_POLICY, parseBanPolicy, type BanPolicy } from '../security/ban-policy';
import { CONFIG_DOCS } from '../basics/collections';
import { loadValidatedConfig, updateValidatedConfig, type ConfigDocument, type LoadedConfig } from './validated-config';

const POLICY: ConfigDocument<BanPolicy> = {
  doc: CONFIG_DOCS.securityPolicy,
  lastGoodDoc: CONFIG_DOCS.securityPolicyLastGood,
  parse: parseBanPolicy,
  defaults: DEFAULT_BAN_POLICY,
};

/** The ban policy in force (stored if valid, else last good, else fail2ban's defaults). */
export function loadBanPolicy(db: Firestore): Promise<LoadedConfig<BanPolicy>> {
  return loadValidatedConfig(db, POLICY);
}

export function updateBanPolicy(db: Firestore, change: (current: BanPolicy) => BanPolicy): Promise<BanPolicy> {
  return updateValidatedConfig(db, POLICY, change);
}
