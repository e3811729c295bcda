import { createHash, timingSafeEqual } from 'node:crypto';
import { keyIdOf } from './api-key';
import { isGone, SecretIntegrityError, type SecretCache } from './secret-cache';

export interface KeyCheck {
  valid: boolean;
  /** The version that matched: the current one, or the previous one during its grace window. */
  version?: number;
  keyId?: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

/** Default `onStale`: one Cloud Logging-shaped line per failed refresh (at most one per refresh interval). */
const warnStale = (secret: string, error: unknown): void => {
  process.stderr.write(`${JSON.stringify({ severity: 'WARNING', message: `Secret Manager unreachable; verifying ${secret} against the keys loaded before: ${(error as Error).message}`, component: 'governor-key-verifier' })}\n`);
};

/**
 * Verifies presented API keys against a secret's current version and — while the rotator keeps it
 * enabled, i.e. during the grace window — the previous one. It keeps only SHA-256 hashes of the
 * valid keys, compares in constant time, and re-reads versions through the secret cache. While
 * Secret Manager is unreachable it keeps verifying against the keys it loaded (and `onStale` is
 * told), like the cache does: an outage must not turn every request away.
 */
export class KeyVerifier {
  private hashes: { version: number; hash: Buffer }[] = [];
  private loadedAt = 0;

  constructor(
    private readonly cache: SecretCache,
    private readonly secret: string,
    private readonly refreshMilliseconds = 30_000,
    private readonly onStale: (secret: string, error: unknown) => void = warnStale,
  ) {}

  async verify(presented: string): Promise<KeyCheck> {
    if (Date.now() - this.loadedAt >= this.refreshMilliseconds) {
      try {
        await this.refresh();
      } catch (error) {
        // Nothing loaded yet, a secret that is gone, or a corrupt payload: no stale key may stand in.
        if (this.hashes.length === 0 || isGone(error) || error instanceof SecretIntegrityError) throw error;
        this.onStale(this.secret, error);
        this.loadedAt = Date.now();
      }
    }
    const hash = sha256(presented);
    // Compare against every valid hash, always all of them: timing says nothing about which matched.
    let matched: number | undefined;
    for (const h of this.hashes) if (timingSafeEqual(h.hash, hash)) matched ??= h.version;
    return matched === undefined ? { valid: false } : { valid: true, version: matched, keyId: keyIdOf(presented) };
  }

  /** Re-reads the current and previous versions now (e.g. right after a rotation). */
  async refresh(): Promise<void> {
    this.cache.invalidate(this.secret);
    const current = await this.cache.get(this.secret);
    const next = [{ version: current.version, hash: sha256(current.data) }];
    if (current.version > 1) {
      try {
        const previous = await this.cache.get(this.secret, current.version - 1);
        next.push({ version: previous.version, hash: sha256(previous.data) });
      } catch (error) {
        // Disabled or destroyed: its grace window is over.
        if (!isGone(error)) throw error;
      }
    }
    this.hashes = next;
    this.loadedAt = Date.now();
    // Only the hashes stay: drop the plaintext the cache just read.
    this.cache.invalidate(this.secret);
  }
}
