import { FieldPath, type Firestore } from '@google-cloud/firestore';
import { throttleRank, type ThrottleLevel } from '../budget/thresholds';
import { COLLECTIONS } from '../basics/collections';
import { levelNow, stepNow, type ScopeFlag, type ScopeFlagsDoc } from '../store/scope-flags-store';
import type { StepInForce } from '../budget/call-plan';

/** Which budget decided an agent's level: the strictest flag that applies (see ThrottleReader.why). */
export interface ThrottleReason {
  level: ThrottleLevel;
  /** `TOTAL` or a category for the fleet's monthly budgets; the budget id for a scoped one. */
  budget: string;
  /** `fleet`, or the scope instance (`agent:writer-1`, `team:search`, `model:gemini-2.5-pro`). */
  scope: string;
  /** The budget's window; `breaker` when a burn-rate breaker paused the scope (`budget` is `breaker:<rule id>`). */
  window: 'hour' | 'day' | 'week' | 'month' | 'breaker';
  /** The window the level holds for (`2026-12` for the fleet's monthly budgets); a breaker's trip id. */
  windowId: string;
  ratio: number;
  /** A tripped breaker: why, at what rate against what baseline (micro-USD per minute), and until when (ISO). */
  breaker?: { ruleId: string; reason: 'rate' | 'loop'; rateMicrosPerMinute: number; baselineMicrosPerMinute: number; until: string };
}

/**
 * The flags of the scope instances that apply to one agent (its agent, team, tenant, tags and the
 * fleet's scoped budgets) and of every model scope, kept current by two live listeners: one query
 * by document id over the agent's instances, one over `kind == model` (a call's model decides
 * whether those apply). No read per check.
 */
export class ScopeFlagsListener {
  private readonly docs = new Map<string, ScopeFlagsDoc>();
  private readonly unsubscribes: (() => void)[] = [];
  private pending = 2;

  constructor(
    private readonly db: Firestore,
    private readonly instances: readonly string[],
    private readonly onLive: () => void,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts (or restarts) both listeners. */
  listen(): void {
    this.stop();
    this.pending = 2;
    const collection = this.db.collection(COLLECTIONS.scopeFlags);
    const ids = this.instances.map((i) => encodeURIComponent(i));
    const mine = collection.where(FieldPath.documentId(), 'in', ids);
    const models = collection.where('kind', '==', 'model');
    for (const [query, owns] of [
      [mine, (d: ScopeFlagsDoc) => d.kind !== 'model'],
      [models, (d: ScopeFlagsDoc) => d.kind === 'model'],
    ] as const) {
      let first = true;
      this.unsubscribes.push(
        query.onSnapshot((snapshot) => {
          for (const [scope, doc] of this.docs) if (owns(doc)) this.docs.delete(scope);
          for (const d of snapshot.docs) this.docs.set(d.get('scope') as string, d.data() as ScopeFlagsDoc);
          if (first && --this.pending === 0) this.onLive();
          first = false;
        }, this.onError),
      );
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  /** The strictest scoped flag for a call of `category` (and `model`, when given) at `now`, if any. */
  strictest(category: string, model: string | undefined, now: number): ThrottleReason | undefined {
    let best: ThrottleReason | undefined;
    const consider = (scope: string, flag: ScopeFlag) => {
      // A shadow budget's flag is recorded for the operators, never enforced.
      if (flag.shadow === true || (flag.category !== undefined && flag.category !== category)) return;
      const level = levelNow(flag, now);
      if (level === 'none' || (best && throttleRank(level) <= throttleRank(best.level))) return;
      best = { level, budget: flag.budgetId, scope, window: windowKindOf(flag.windowId), windowId: flag.windowId, ratio: flag.ratio };
    };
    for (const instance of [...this.instances, ...(model ? [`model:${model}`] : [])]) {
      const doc = this.docs.get(instance);
      if (doc) for (const flag of Object.values(doc.budgets ?? {})) consider(instance, flag);
    }
    return this.breakerPause(model, now) ?? best;
  }

  /** A tripped breaker of a scope that applies, until its cool-down ends: stricter than any budget. */
  private breakerPause(model: string | undefined, now: number): ThrottleReason | undefined {
    for (const instance of [...this.instances, ...(model ? [`model:${model}`] : [])]) {
      for (const b of Object.values(this.docs.get(instance)?.breakers ?? {})) {
        if (b.level !== 'paused' || b.until <= now) continue;
        const breaker = { ruleId: b.ruleId, reason: b.reason, rateMicrosPerMinute: b.rateMicrosPerMinute, baselineMicrosPerMinute: b.baselineMicrosPerMinute, until: new Date(b.until).toISOString() };
        return { level: 'paused', budget: `breaker:${b.ruleId}`, scope: instance, window: 'breaker', windowId: b.tripId, ratio: b.baselineMicrosPerMinute > 0 ? b.rateMicrosPerMinute / b.baselineMicrosPerMinute : 0, breaker };
      }
    }
    return undefined;
  }

  /** The ladder steps in force for a call of `category` and `model` at `now` (shadow ones left out). */
  steps(category: string, model: string, now: number): StepInForce[] {
    const found: StepInForce[] = [];
    for (const instance of [...this.instances, `model:${model}`]) {
      const doc = this.docs.get(instance);
      if (!doc) continue;
      for (const flag of Object.values(doc.budgets)) {
        const step = stepNow(flag, now);
        if (!step || step.shadow || flag.shadow === true || (flag.category !== undefined && flag.category !== category)) continue;
        found.push({ budget: flag.budgetId, scope: instance, ratio: flag.ratio, step });
      }
    }
    return found;
  }
}

/** The window kind of a window id (`2026-12-07T13+0000`, `2026-12-07`, `2026-W50`, `2026-12`). */
function windowKindOf(windowId: string): ThrottleReason['window'] {
  if (windowId.includes('T')) return 'hour';
  if (windowId.includes('W')) return 'week';
  return windowId.length === 10 ? 'day' : 'month';
}
