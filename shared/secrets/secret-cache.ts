import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import crc32c from 'crc-32/crc32c';
import { versionName, versionNumberOf } from './secret-manager-client';
import { Status } from 'google-gax';

/** The payload's CRC32C did not match its data: corrupted in transit or storage, refused. */
export class SecretIntegrityError extends Error {
  override readonly name = 'SecretIntegrityError';
}

export interface AccessedSecret {
  version: number;
  data: Buffer;
}

export interface SecretCacheOptions {
  /** How long a value is served before it is read again. */
  ttlMilliseconds?: number;
  /** Deadline of one access call. */
  timeoutMilliseconds?: number;
  /** Told when a refresh failed and the cached value was served instead. */
  onStale?: (secret: string, error: unknown) => void;
}

export const SECRET_CACHE_DEFAULTS = { ttlMilliseconds: 60_000, timeoutMilliseconds: 10_000 } as const;

/** Checks Secret Manager's CRC32C of a payload (the client does not). */
export function verifyCrc32c(data: Uint8Array, expected: number | string | null | undefined): void {
  if (expected === null || expected === undefined) throw new SecretIntegrityError('the payload carries no CRC32C');
  const actual = crc32c.buf(data) >>> 0;
  if (actual !== Number(expected)) throw new SecretIntegrityError(`payload CRC32C ${actual} does not match ${expected}`);
}

/**
 * Secret values in memory, read again after `ttlMilliseconds`; every payload's CRC32C is checked.
 * When a refresh fails, the last good value keeps being served (and `onStale` is told) — an outage
 * of Secret Manager must not take an agent down.
 */
export class SecretCache {
  private readonly entries = new Map<string, { value: AccessedSecret; at: number }>();
  private readonly options: Required<Omit<SecretCacheOptions, 'onStale'>> & Pick<SecretCacheOptions, 'onStale'>;

  constructor(
    private readonly client: SecretManagerServiceClient,
    private readonly projectId: string,
    options: SecretCacheOptions = {},
  ) {
    this.options = { ...SECRET_CACHE_DEFAULTS, ...options };
  }

  /** A version's value (`latest` by default). */
  async get(secret: string, version: number | 'latest' = 'latest'): Promise<AccessedSecret> {
    const key = `${secret}/${version}`;
    const cached = this.entries.get(key);
    if (cached && Date.now() - cached.at < this.options.ttlMilliseconds) return cached.value;
    try {
      const value = await this.access(secret, version);
      this.entries.set(key, { value, at: Date.now() });
      return value;
    } catch (error) {
      if (cached && !(error instanceof SecretIntegrityError) && !isGone(error)) {
        this.options.onStale?.(secret, error);
        return cached.value;
      }
      this.entries.delete(key);
      throw error;
    }
  }

  /** Forgets cached values (all, or one secret's). */
  invalidate(secret?: string): void {
    for (const key of [...this.entries.keys()]) if (!secret || key.startsWith(`${secret}/`)) this.entries.delete(key);
  }

  private async access(secret: string, version: number | 'latest'): Promise<AccessedSecret> {
    const [response] = await this.client.accessSecretVersion({ name: versionName(this.projectId, secret, version) }, { timeout: this.options.timeoutMilliseconds });
    const data = Buffer.from(response.payload?.data ?? Buffer.alloc(0));
    verifyCrc32c(data, response.payload?.dataCrc32c as number | string | null | undefined);
    return { version: versionNumberOf(response.name), data };
  }
}

/** A version that was disabled, destroyed or never existed: no stale value may stand in for it. */
export function isGone(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  return code === Status.NOT_FOUND || code === Status.FAILED_PRECONDITION;
}
