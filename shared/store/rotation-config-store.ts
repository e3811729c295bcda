import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_ROTATION_CONFIG, parseRotationConfig, type RotationConfig } from '../secrets/rotation-policy';
import { CONFIG_DOCS } from '../basics/collections';
import { loadValidatedConfig, updateValidatedConfig, type ConfigDocument, type LoadedConfig } from './validated-config';

const ROTATION: ConfigDocument<RotationConfig> = {
  doc: CONFIG_DOCS.keyRotation,
  lastGoodDoc: CONFIG_DOCS.keyRotationLastGood,
  parse: parseRotationConfig,
  defaults: DEFAULT_ROTATION_CONFIG,
};

/** Which secrets are rotated, and how (stored if valid, else last good, else none). */
export function loadRotationConfig(db: Firestore): Promise<LoadedConfig<RotationConfig>> {
  return loadValidatedConfig(db, ROTATION);
}

export function updateRotationConfig(db: Firestore, change: (current: RotationConfig) => RotationConfig): Promise<RotationConfig> {
  return updateValidatedConfig(db, ROTATION, change);
}
