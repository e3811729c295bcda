import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { kindOfInstance } from '../budget/scope';
import { throttleRank, type ThrottleLevel } from '../budget/thresholds';
import { COLLECTIONS, CONFIG_DOCS } from '../basics/collections';

/** One scoped budget's flag on its scope instance's document. */
export interface ScopeFlag {
  level: ThrottleLevel;
  budgetId: string;
  /** The window the level is for; a flag of an ended window reads as `none` (a new window starts clear). */
  windowId: string;
  windowEnd: number;
  /** The category the budget covers; absent: every category. */
  category?: string;
  ratio: number;
  spentMicros: number;
  budgetMicros: number;
  setAt: string;
  /** Update time (ms) of the budget config the level was decided under. */
  configVersion: number;
}

/** A tripped burn-rate breaker's flag on its scope instance's document (shared/runaway). */
export interface BreakerFlag {
  level: 'paused';
  ruleId: string;
  tripId: string;
  reason: 'rate' | 'loop';
  rateMicrosPerMinute: number;
  baselineMicrosPerMinute: number;
  /** When the trip began and when its cool-down ends (ms): the flag reads as `none` after `until`. */
  since: number;
  until: number;
}

/** `governor_scope_flags/<scope instance>`: the flags of every scoped budget of that instance. */
export interface ScopeFlagsDoc {
  scope: string;
  kind: string;
  budgets: Record<string, ScopeFlag>;
  /** Whether any flag is above `none` in a window that has not ended (the re-evaluation query). */
  flagged: boolean;
  /** Tripped burn-rate breakers by rule id (absent: none ever tripped here). */
  breakers?: Record<string, BreakerFlag>;
}

export function scopeFlagsRef(db: Firestore, instance: string) {
  return db.collection(COLLECTIONS.scopeFlags).doc(encodeURIComponent(instance));
}

/** A flag's level now: `none` once its window has ended. */
export function levelNow(flag: ScopeFlag | undefined, now: number): ThrottleLevel {
  return flag && flag.windowEnd > now ? flag.level : 'none';
}

export type ScopeFlagOutcome = { status: 'written'; changes: Record<string, ScopeFlag>; levels: Record<string, ThrottleLevel> } | { status: 'stale-config' };

/**
 * Sets one scope instance's flags to what its spend calls for, with the rules of the fleet's flags
 * (throttle-flags-store.ts): refused under a budget config changed since it was loaded; under one
 * config and window never lowered. A new window replaces the old one's flag. A flag is written only
 * when a level changes, so the document is written on crossings, not per event — and a scope
 * instance that never crosses a threshold has no flag document at all.
 */
export async function applyScopeFlags(db: Firestore, instance: string, desired: Record<string, Omit<ScopeFlag, 'configVersion'>>, configVersion: number, now: number): Promise<ScopeFlagOutcome> {
  const configRef = db.collection(COLLECTIONS.config).doc(CONFIG_DOCS.budgets);
  const ref = scopeFlagsRef(db, instance);
  return db.runTransaction(async (tx) => {
    const [config, doc] = await tx.getAll(configRef, ref);
    if ((config?.updateTime?.toMillis() ?? 0) !== configVersion) return { status: 'stale-config' };
    const current = (doc?.get('budgets') as ScopeFlagsDoc['budgets'] | undefined) ?? {};
    const changes: Record<string, ScopeFlag> = {};
    const levels: Record<string, ThrottleLevel> = {};
    for (const [budgetId, flag] of Object.entries(desired)) {
      const stored = current[budgetId];
      const sameWindow = stored?.windowId === flag.windowId;
      const level = sameWindow ? levelNow(stored, now) : 'none';
      levels[budgetId] = level;
      if (level === flag.level) continue;
      if (sameWindow && stored?.configVersion === configVersion && throttleRank(flag.level) < throttleRank(level)) continue;
      changes[budgetId] = { ...flag, configVersion };
      levels[budgetId] = flag.level;
    }
    if (Object.keys(changes).length > 0) {
      const merged = { ...current, ...changes };
      const flagged = Object.values(merged).some((f) => levelNow(f, now) !== 'none');
      tx.set(ref, { scope: instance, kind: kindOfInstance(instance), budgets: changes, flagged, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
    }
    return { status: 'written', changes, levels };
  });
}

/** The scope instances with a flag above `none` (what a config change or the tick re-evaluates). */
export async function flaggedScopeInstances(db: Firestore): Promise<ScopeFlagsDoc[]> {
  const snapshot = await db.collection(COLLECTIONS.scopeFlags).where('flagged', '==', true).get();
  return snapshot.docs.map((d) => d.data() as ScopeFlagsDoc);
}

/** Reads the flag documents of some scope instances (CLI, reports). */
export async function readScopeFlags(db: Firestore, instances: readonly string[]): Promise<Map<string, ScopeFlagsDoc>> {
  if (instances.length === 0) return new Map();
  const snapshots = await db.getAll(...instances.map((i) => scopeFlagsRef(db, i)));
  // A document a breaker created before any budget flag has no flags of budgets yet.
  return new Map(snapshots.filter((s) => s.exists).map((s) => [s.get('scope') as string, { budgets: {}, ...s.data() } as ScopeFlagsDoc]));
}
