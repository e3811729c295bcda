import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from '../basics/collections';

export type ConfigOrigin = 'stored' | 'last-good' | 'defaults';

export interface LoadedConfig<T> {
  config: T;
  origin: ConfigOrigin;
  /** Why the stored document was not used, when it was present but invalid. */
  rejected?: string;
  /** Update time (ms) of the stored document this was loaded from; 0 when there is none. */
  version: number;
  /** Something that went wrong without changing the config in force (for the caller to log). */
  warning?: string;
}

export interface ConfigDocument<T> {
  /** Document id in `governor_config` an operator edits. */
  doc: string;
  /** Document id where the last valid config is kept. */
  lastGoodDoc: string;
  /** Validates stored data (throws with the bad field named). */
  parse: (data: unknown) => T;
  defaults: T;
  /** Stored form of a config, and back: only a config that is not an object needs wrapping; an object is stored as it is. */
  toStored?: (config: T) => Record<string, unknown>;
  fromStored?: (data: Record<string, unknown>) => unknown;
}

const storedFormOf = <T>(spec: ConfigDocument<T>, config: T): Record<string, unknown> => (spec.toStored ? spec.toStored(config) : { ...(config as Record<string, unknown>) });
const parseInputOf = <T>(spec: ConfigDocument<T>, data: Record<string, unknown>): unknown => (spec.fromStored ? spec.fromStored(data) : data);

/** JSON with object keys sorted: Firestore does not keep the key order a config was written in. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function stripMeta(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!data) return undefined;
  const { updatedAt: _updatedAt, ...rest } = data;
  return rest;
}

/**
 * Loads an operator-edited config: the stored document when valid; otherwise the last good one
 * (kept by every successful load and save), else the defaults. A bad document never takes effect.
 */
export async function loadValidatedConfig<T>(db: Firestore, spec: ConfigDocument<T>): Promise<LoadedConfig<T>> {
  const config = db.collection(COLLECTIONS.config);
  const [stored, lastGood] = await db.getAll(config.doc(spec.doc), config.doc(spec.lastGoodDoc));
  const data = stripMeta(stored?.data());
  const version = stored?.updateTime?.toMillis() ?? 0;
  if (!data) return { config: spec.defaults, origin: 'defaults', version };
  let parsed: T;
  try {
    parsed = spec.parse(parseInputOf(spec, data));
  } catch (error) {
    const rejected = (error as Error).message;
    const fallback = stripMeta(lastGood?.data());
    if (fallback) {
      try {
        return { config: spec.parse(parseInputOf(spec, fallback)), origin: 'last-good', rejected, version };
      } catch {
        // fall through to the defaults
      }
    }
    return { config: spec.defaults, origin: 'defaults', rejected, version };
  }
  if (stableStringify(stripMeta(lastGood?.data())) !== stableStringify(storedFormOf(spec, parsed))) {
    // Failing to keep a copy must not make a valid config look invalid: report it, use the config.
    try {
      await config.doc(spec.lastGoodDoc).set({ ...storedFormOf(spec, parsed), updatedAt: FieldValue.serverTimestamp() });
    } catch (error) {
      return { config: parsed, origin: 'stored', version, warning: `could not keep the last good copy: ${(error as Error).message}` };
    }
  }
  return { config: parsed, origin: 'stored', version };
}

/**
 * Changes a config in a transaction: `change` gets the config in force and returns the next one,
 * validated before anything is written (a bad one throws and changes nothing).
 */
export async function updateValidatedConfig<T>(db: Firestore, spec: ConfigDocument<T>, change: (current: T) => T): Promise<T> {
  const config = db.collection(COLLECTIONS.config);
  return db.runTransaction(async (tx) => {
    const [stored, lastGood] = await tx.getAll(config.doc(spec.doc), config.doc(spec.lastGoodDoc));
    let current = spec.defaults;
    for (const candidate of [stored, lastGood]) {
      const data = stripMeta(candidate?.data());
      if (!data) continue;
      try {
        current = spec.parse(parseInputOf(spec, data));
        break;
      } catch {
        // an invalid stored document: start from the last good one
      }
    }
    const next = spec.parse(change(current));
    tx.set(config.doc(spec.doc), { ...storedFormOf(spec, next), updatedAt: FieldValue.serverTimestamp() });
    tx.set(config.doc(spec.lastGoodDoc), { ...storedFormOf(spec, next), updatedAt: FieldValue.serverTimestamp() });
    return next;
  });
}
