import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_ALERT_RULES, parseAlertRules, type AlertRule } from '../metrics/alert-rules';
import { CONFIG_DOCS } from '../basics/collections';
import { loadValidatedConfig, updateValidatedConfig, type ConfigDocument, type LoadedConfig } from './validated-config';

const RULES: ConfigDocument<AlertRule[]> = {
  doc: CONFIG_DOCS.metricRules,
  lastGoodDoc: CONFIG_DOCS.metricRulesLastGood,
  parse: parseAlertRules,
  defaults: [...DEFAULT_ALERT_RULES],
  // Firestore documents are maps: the list lives under `rules`.
  toStored: (rules) => ({ rules }),
  fromStored: (data) => data.rules,
};

/** The performance alert rules in force (stored if valid, else last good, else the seed's). */
export function loadAlertRules(db: Firestore): Promise<LoadedConfig<AlertRule[]>> {
  return loadValidatedConfig(db, RULES);
}

export function updateAlertRules(db: Firestore, change: (current: AlertRule[]) => AlertRule[]): Promise<AlertRule[]> {
  return updateValidatedConfig(db, RULES, change);
}
