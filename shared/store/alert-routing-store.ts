import type { Firestore } from '@google-cloud/firestore';
import { defaultAlertRouting, parseAlertRouting, type AlertRouting } from '../alerts/alert-routing';
import { CONFIG_DOCS } from '../basics/collections';
import { loadValidatedConfig, updateValidatedConfig, type ConfigDocument, type LoadedConfig } from './validated-config';

const ROUTING = (env: NodeJS.ProcessEnv): ConfigDocument<AlertRouting> => ({
  doc: CONFIG_DOCS.alertRouting,
  lastGoodDoc: CONFIG_DOCS.alertRoutingLastGood,
  parse: parseAlertRouting,
  defaults: defaultAlertRouting(env),
});

/** Who gets which alerts (stored if valid, else last good, else everything to GOVERNOR_ALERT_EMAIL_TO). */
export function loadAlertRouting(db: Firestore, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig<AlertRouting>> {
  return loadValidatedConfig(db, ROUTING(env));
}

export function updateAlertRouting(db: Firestore, change: (current: AlertRouting) => AlertRouting, env: NodeJS.ProcessEnv = process.env): Promise<AlertRouting> {
  return updateValidatedConfig(db, ROUTING(env), change);
}
