import { createHash } from 'node:crypto';
import { namespaceSchema, tagSchema } from './cache-options';

/** An answer as the cache keeps it, in every tier. */
export interface CacheEntry<T = unknown> {
  value: T;
  tags: readonly string[];
  /** Epoch ms. */
  storedAt: number;
  /** Epoch ms after which no tier serves it. */
  expiresAt: number;
  /** What computing it cost (micro-USD), credited as avoided on every hit. */
  costMicros?: number;
  /** The model that produced it, for the savings metric's `model` label. */
  model?: string;
  /** Serialized size: what the L1 byte bound counts. */
  bytes: number;
}

/** Keys longer than this are replaced by their SHA-256 (Redis keys stay short; no length limit for callers). */
const MAX_PLAIN_KEY_CHARS = 200;

export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
}

/** `namespace:key`, the id of an entry in L1 and (prefixed) in Redis. Bad names throw CacheKeyError. */
export function entryIdOf(namespace: string, key: string): string {
  const ns = namespaceSchema.safeParse(namespace);
  if (!ns.success) throw new CacheKeyError(`namespace "${namespace}": ${ns.error.issues[0]?.message}`);
  if (typeof key !== 'string' || key.length === 0) throw new CacheKeyError('key must be a non-empty string');
  return `${namespace}:${key.length > MAX_PLAIN_KEY_CHARS ? `sha256-${sha256(key)}` : key}`;
}

export function namespaceOfId(id: string): string {
  return id.slice(0, id.indexOf(':'));
}

export function checkTags(tags: readonly string[]): readonly string[] {
  for (const tag of tags) {
    const parsed = tagSchema.safeParse(tag);
    if (!parsed.success) throw new CacheKeyError(`tag "${tag}": ${parsed.error.issues[0]?.message}`);
  }
  return [...new Set(tags)];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** The JSON text stored in Redis. `undefined`, functions and BigInt are refused: they cannot round-trip. */
export function serializeEntry(entry: Omit<CacheEntry, 'bytes'>): string {
  if (entry.value === undefined) throw new TypeError('a cache value cannot be undefined (it would read as a miss)');
  let text: string | undefined;
  try {
    text = JSON.stringify({ v: entry.value, t: entry.tags, s: entry.storedAt, e: entry.expiresAt, c: entry.costMicros, m: entry.model });
  } catch (error) {
    throw new TypeError(`a cache value must be JSON-serializable: ${(error as Error).message}`);
  }
  return text;
}

/** Reads a stored entry; anything that is not one (a foreign or corrupt key) is undefined, never thrown. */
export function parseEntry(text: string): CacheEntry | undefined {
  try {
    const raw = JSON.parse(text) as { v?: unknown; t?: unknown; s?: unknown; e?: unknown; c?: unknown; m?: unknown };
    if (raw.v === undefined || typeof raw.s !== 'number' || typeof raw.e !== 'number' || !Array.isArray(raw.t)) return undefined;
    return {
      value: raw.v,
      tags: raw.t.filter((t): t is string => typeof t === 'string'),
      storedAt: raw.s,
      expiresAt: raw.e,
      ...(typeof raw.c === 'number' ? { costMicros: raw.c } : {}),
      ...(typeof raw.m === 'string' ? { model: raw.m } : {}),
      bytes: Buffer.byteLength(text),
    };
  } catch {
    return undefined;
  }
}
