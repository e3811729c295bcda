import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { kindOfInstance } from '../budget/scope';
import { throttleRank, type ThrottleLevel } from '../budget/thresholds';
import type { StepEffect } from '../budget/degrade-ladder';
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
  /** The degrade-ladder step in force (null: below the first step; absent: no ladder, or stored before ladders). */
  step?: StepEffect | null;
  /** A shadow budget's flag: recorded for status and the dashboard, ignored by the agents' readers. */
  shadow?: boolean;
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

/** A flag's ladder step now: undefined below the first step, without a ladder, or once its window has ended. */
export function stepNow(flag: ScopeFlag | undefined, now: number): StepEffect | undefined {
  return flag && flag.windowEnd > now ? (flag.step ?? undefined) : undefined;
}

const stepIndex = (step: StepEffect | null | undefined) => (step ? step.index : -1);

/** Whether a flag holds anything in force now: a level above `none` or a ladder step. */
function raisedNow(flag: ScopeFlag, now: number): boolean {
  return levelNow(flag, now) !== 'none' || stepNow(flag, now) !== undefined;
}

export type ScopeFlagOutcome = { status: 'written'; changes: Record<string, ScopeFlag>; levels: Record<string, ThrottleLevel>; steps: Record<string, number> } | { status: 'stale-config' };

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
    const steps: Record<string, number> = {};
    for (const [budgetId, flag] of Object.entries(desired)) {
      const stored = current[budgetId];
      const sameWindow = stored?.windowId === flag.windowId;
      const level = sameWindow ? levelNow(stored, now) : 'none';
      const step = sameWindow ? stepIndex(stepNow(stored, now)) : -1;
      levels[budgetId] = level;
      steps[budgetId] = step;
      if (level === flag.level && step === stepIndex(flag.step) && (stored?.shadow ?? false) === (flag.shadow ?? false)) continue;
      // Under one config and window a flag only climbs: a lower answer came from an older read.
      const lower = throttleRank(flag.level) < throttleRank(level) || (flag.level === level && stepIndex(flag.step) < step);
      if (sameWindow && stored?.configVersion === configVersion && lower) continue;
      // `step` and `shadow` are written even when empty: a merge would otherwise keep the old ones.
      changes[budgetId] = { ...flag, step: flag.step ?? null, shadow: flag.shadow ?? false, configVersion };
      levels[budgetId] = flag.level;
      steps[budgetId] = stepIndex(flag.step);
    }
    const flagged = Object.values({ ...current, ...changes }).some((f) => raisedNow(f, now));
    // Written when a level or step changes, and when every raised flag's window has ended: otherwise the
    // document would stay `flagged` and be re-read by every tick and config change forever.
    if (Object.keys(changes).length > 0 || (doc?.get('flagged') === true && !flagged)) {
      // An empty `budgets` map in a merge would replace the stored one (Firestore merges maps key by key, but sets an empty one).
      const budgets = Object.keys(changes).length > 0 ? { budgets: changes } : {};
      tx.set(ref, { scope: instance, kind: kindOfInstance(instance), ...budgets, flagged, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
    }
    return { status: 'written', changes, levels, steps };
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
