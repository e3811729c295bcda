// `governor/secrets`: API keys, reading secrets safely, verifying presented keys.
export { generateApiKey, keyIdOf } from './api-key';
export type { ApiKey } from './api-key';
export { SecretCache, SecretIntegrityError, verifyCrc32c } from './secret-cache';
export type { SecretCacheOptions, AccessedSecret } from './secret-cache';
export { KeyVerifier } from './key-verifier';
export type { KeyCheck } from './key-verifier';
export { secretManagerClient } from './secret-manager-client';
export { parseRotationConfig, planRotation } from './rotation-policy';
export type { RotationConfig, RotationSettings } from './rotation-policy';
