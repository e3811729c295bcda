import { randomBytes } from 'node:crypto';

/** Key ids are public: 10 base62 characters, the part logs and events may carry. */
const KEY_ID_LENGTH = 10;
/** 32 random bytes (256 bits) of secret. */
const SECRET_BYTES = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^gov_([0-9A-Za-z]{10})_([A-Za-z0-9_-]{43})$/;

export interface ApiKey {
  /** The full key, `gov_<keyId>_<secret>`: only for the holder and Secret Manager. */
  key: string;
  /** The public id, safe in logs and security events. */
  keyId: string;
}

function base62(length: number): string {
  // Rejection sampling keeps every character uniform (256 is not a multiple of 62).
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** A new API key from the OS's CSPRNG, with a public id prefix. */
export function generateApiKey(): ApiKey {
  const keyId = base62(KEY_ID_LENGTH);
  return { keyId, key: `gov_${keyId}_${randomBytes(SECRET_BYTES).toString('base64url')}` };
}

/** The public id of a well-formed key, or undefined. */
export function keyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}
