import { projectIdOf } from '../basics/project-id';
import { Firestore, type DocumentReference } from '@google-cloud/firestore';
import { TOTAL, type BudgetKey } from '../budget/budget-config';
import { periodOf, type Period } from '../basics/period';
import type { ThrottleLevel } from '../budget/thresholds';
import type { CostCategory } from '../contracts/vocabulary';
import { OptionsError } from '../contracts/validation-error';
import { createLogger, type Logger } from '../logging/logger';
import { flagsRef, type ThrottleFlagsDoc } from '../store/throttle-flags-store';
import { hostname } from 'node:os';
import { attributionSchema, type Attribution } from '../contracts/attribution';
import { agentIdSchema } from '../contracts/envelope';
import { scopeInstancesOfAgent } from '../budget/scope';
import { throttleRank } from '../budget/thresholds';
import { ScopeFlagsListener, type ThrottleReason } from './scope-flags-listener';
import { composePlan, unrestrictedPlan, type CallPlan } from '../budget/call-plan';

export type { ThrottleReason } from './scope-flags-listener';

/** What the reader answers while it cannot confirm the flags are current. */
export type FailMode = 'open' | 'closed';
export type ReaderState = 'connecting' | 'live' | 'unavailable' | 'closed';

export interface ThrottleReaderOptions {
  /** Default `GOOGLE_CLOUD_PROJECT`. */
  projectId?: string;
  /**
   * The agent whose flags apply (its `agent:` scope); default the publisher's, else
   * `GOVERNOR_AGENT_ID` or `<hostname>/<pid>` — the publisher's own default.
   */
  source?: string;
  /** Its team, tenant and tags (their scopes' flags apply too); default the publisher's. */
  attribution?: Attribution;
  /** Takes `source` and `attribution` from the agent's publisher. */
  publisher?: { identity(): { source: string; attribution?: Attribution } };
  /** Share the agent's client; default a new one (closed by `close()`). */
  firestore?: Firestore;
  /** `open` (default): spend goes on when Firestore is unreachable; `closed`: everything is blocked. */
  failMode?: FailMode;
  /** Without a confirmed read for this long, the flags are unknown and `failMode` decides. */
  unavailableAfterMilliseconds?: number;
  /** How often a listener's silence is checked with one read of the flags document. */
  healthCheckIntervalMilliseconds?: number;
  /** Deadline of one health-check read. */
  healthCheckTimeoutMilliseconds?: number;
  /** Every time check (period, confirmation age) reads this; default the system clock. */
  clock?: () => Date;
  /**
   * Told of every state change (e.g. to log or export a metric), and again of each failed health
   * check; default a log line (WARNING when unavailable or a check failed, INFO otherwise).
   */
  onStateChange?: (state: ReaderState, reason?: string) => void;
  /** Where the default `onStateChange` writes; default a `governor-throttle-reader` logger on stdout. */
  logger?: Logger;
}

export const THROTTLE_READER_DEFAULTS = {
  failMode: 'open' as FailMode,
  // Three missed health checks: one slow read does not flip an agent into its fail mode.
  unavailableAfterMilliseconds: 90_000,
  // One read per 30 s per agent: ~2,900 reads a day, a fraction of a cent.
  healthCheckIntervalMilliseconds: 30_000,
  healthCheckTimeoutMilliseconds: 5_000,
} as const;

/**
 * Answers `isThrottled(category)` from memory: a live Firestore listener keeps the current
 * period's flags, so a check costs no read. The total budget's flag applies to every category.
 */
export class ThrottleReader {
  private readonly db: Firestore;
  private readonly ownsClient: boolean;
  private readonly options: Required<Omit<ThrottleReaderOptions, 'projectId' | 'firestore' | 'onStateChange' | 'logger' | 'source' | 'attribution' | 'publisher'>>;
  private readonly scoped: ScopeFlagsListener;
  private scopedLive = false;
  private readonly onStateChange: (state: ReaderState, reason?: string) => void;
  private period: Period;
  private flags: ThrottleFlagsDoc['budgets'] = {};
  private readonly firstSnapshot: Promise<void>;
  private resolveFirst!: () => void;
  private unsubscribe: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  private lastConfirmed = 0;
  private current: ReaderState = 'connecting';
  private relistenAttempts = 0;
  private checking: Promise<void> | undefined;

  constructor(options: ThrottleReaderOptions = {}) {
    const o = { ...THROTTLE_READER_DEFAULTS, clock: () => new Date(), ...stripUndefined(options) };
    if (o.failMode !== 'open' && o.failMode !== 'closed') throw new OptionsError([{ path: 'failMode', message: `must be "open" or "closed", got "${String(o.failMode)}"` }]);
    for (const key of ['unavailableAfterMilliseconds', 'healthCheckIntervalMilliseconds', 'healthCheckTimeoutMilliseconds'] as const) {
      if (!(o[key] > 0)) throw new OptionsError([{ path: key, message: 'must be a positive number of milliseconds' }]);
    }
    this.options = o;
    const projectId = options.projectId ?? projectIdOf();
    if (!options.firestore && !projectId) throw new OptionsError([{ path: 'projectId', message: 'set projectId or GOOGLE_CLOUD_PROJECT' }]);
    this.db = options.firestore ?? new Firestore({ projectId });
    this.ownsClient = !options.firestore;
    this.onStateChange = options.onStateChange ?? logStateChanges(options.logger ?? createLogger({ component: 'governor-throttle-reader' }), o.failMode);
    this.period = periodOf(o.clock());
    this.firstSnapshot = new Promise((resolve) => (this.resolveFirst = resolve));
    const identity = options.publisher?.identity();
    const source = agentIdSchema.safeParse(options.source ?? identity?.source ?? process.env.GOVERNOR_AGENT_ID ?? `${hostname()}/${process.pid}`);
    if (!source.success) throw new OptionsError([{ path: 'source', message: source.error.issues[0]?.message ?? 'invalid' }]);
    const attribution = attributionSchema.safeParse(options.attribution ?? identity?.attribution ?? {});
    if (!attribution.success) throw OptionsError.fromZod(attribution.error, ['attribution']);
    this.scoped = new ScopeFlagsListener(
      this.db,
      scopeInstancesOfAgent(source.data, attribution.data),
      () => {
        this.scopedLive = true;
        this.maybeFirst();
      },
      (error) => this.listenAgainLater(error),
    );
    this.listen();
    this.timer = setInterval(() => {
      this.checking ??= this.healthCheck().finally(() => (this.checking = undefined));
    }, o.healthCheckIntervalMilliseconds);
    this.timer.unref();
  }

  /** Resolves once the first snapshot has arrived (flags known), or after `timeoutMilliseconds` regardless. */
  async ready(timeoutMilliseconds = 10_000): Promise<this> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstSnapshot, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMilliseconds)))]);
    clearTimeout(timer);
    return this;
  }

  /**
   * The strictest flag that applies to a call of `category` (and of `call.model`): the fleet's
   * category and total budgets, and the scoped budgets of this agent, its team, tenant and tags
   * and the model; `failMode` when unknown. Never reads Firestore.
   */
  throttleLevel(category: CostCategory, call: { model?: string } = {}): ThrottleLevel {
    return this.why(category, call).level;
  }

  isThrottled(category: CostCategory, call: { model?: string } = {}): boolean {
    return this.throttleLevel(category, call) !== 'none';
  }

  /**
   * Which budget decides `throttleLevel(category, call)`: its level, the budget (a category,
   * `TOTAL` or a scoped budget's id), its scope instance and window. With no flag raised, a
   * `none` reason for the fleet's total; while the flags are unknown, `budget: 'fail-open'` or
   * `'fail-closed'`.
   */
  why(category: CostCategory, call: { model?: string } = {}): ThrottleReason {
    this.followPeriod();
    const fleet = (budget: string, level: ThrottleLevel, ratio = 0): ThrottleReason => ({ level, budget, scope: 'fleet', window: 'month', windowId: this.period.id, ratio });
    if (this.state() !== 'live') return fleet(`fail-${this.options.failMode}`, this.options.failMode === 'open' ? 'none' : 'blocked');
    let best = fleet(TOTAL, 'none');
    for (const key of [TOTAL, category] as const) {
      const flag = this.flags[key];
      if (flag && throttleRank(flag.level) > throttleRank(best.level)) best = fleet(key, flag.level, flag.ratio);
    }
    const scoped = this.scoped.strictest(category, call.model, this.options.clock().getTime());
    return scoped && throttleRank(scoped.level) > throttleRank(best.level) ? scoped : best;
  }

  /**
   * What a call of `category` to `model` may do now: the model to call (downgraded by a ladder),
   * cache-only or cache-preferred, blocked — the strictest of the budgets that apply, with the
   * one that decided named in `reason`. From memory, like `throttleLevel` (a `blocked` level blocks
   * whatever the ladders say; shadow budgets and ladders are ignored).
   */
  plan(call: { category: CostCategory; model: string }): CallPlan {
    const level = this.why(call.category, { model: call.model });
    if (this.current !== 'live') return level.level === 'blocked' || level.level === 'paused' ? composePlan(call.model, level, []) : unrestrictedPlan(call.model);
    return composePlan(call.model, level, this.scoped.steps(call.category, call.model, this.options.clock().getTime()));
  }

  /** Flags of the current period as last seen, by budget (categories and TOTAL). */
  snapshot(): Readonly<Partial<Record<BudgetKey, ThrottleLevel>>> {
    return Object.fromEntries(Object.entries(this.flags).map(([k, f]) => [k, f?.level ?? 'none']));
  }

  state(): ReaderState {
    if (this.current === 'live' && this.options.clock().getTime() - this.lastConfirmed > this.options.unavailableAfterMilliseconds) {
      this.setState('unavailable', `no confirmed read for ${this.options.unavailableAfterMilliseconds} ms`);
    }
    return this.current;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.scoped.stop();
    this.setState('closed');
    // No read of ours may outlive close(): the caller may terminate a shared client next.
    await this.checking;
    if (this.ownsClient) await this.db.terminate();
  }

  private fleetLive = false;

  /** Live once both the fleet's flags and the scoped flags have arrived. */
  private maybeFirst(): void {
    if (!this.fleetLive || !this.scopedLive) return;
    this.confirm();
    this.resolveFirst();
  }

  private ref(): DocumentReference {
    return flagsRef(this.db, this.period.id);
  }

  private listen(): void {
    this.unsubscribe?.();
    const listenedPeriod = this.period.id;
    try {
      this.scoped.listen();
      this.unsubscribe = this.ref().onSnapshot(
        (snapshot) => {
          if (listenedPeriod !== this.period.id) return;
          this.flags = (snapshot.get('budgets') as ThrottleFlagsDoc['budgets'] | undefined) ?? {};
          this.fleetLive = true;
          this.relistenAttempts = 0;
          this.maybeFirst();
        },
        (error) => this.listenAgainLater(error),
      );
    } catch (error) {
      // A client terminated under the reader throws at once; this runs on a timer, where a throw
      // would crash the agent. Report it and keep trying like any other listener failure.
      this.unsubscribe = undefined;
      this.listenAgainLater(error as Error);
    }
  }

  /** The listener ended for good; report it and listen again with backoff. */
  private listenAgainLater(error: Error): void {
    this.setState('unavailable', error.message);
    const delay = Math.min(30_000, 500 * 2 ** this.relistenAttempts++);
    setTimeout(() => this.current !== 'closed' && this.listen(), delay).unref();
  }

  /** A new month starts with no flags: follow the period the clock is in. */
  private followPeriod(): void {
    if (this.options.clock().getTime() < this.period.end.getTime()) return;
    this.period = periodOf(this.options.clock());
    this.flags = {};
    this.listen();
  }

  private async healthCheck(): Promise<void> {
    this.followPeriod();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('health check timed out')), this.options.healthCheckTimeoutMilliseconds);
      });
      // Only proves Firestore answers: the flags themselves come from the listener alone, so a
      // slow read can never put an older value over a newer snapshot.
      await Promise.race([this.ref().get(), timeout]);
      this.confirm();
    } catch (error) {
      // A check still in flight when close() ran fails against the terminated client: not news.
      if (this.current === 'closed') return;
      this.state();
      this.onStateChange(this.current, `health check failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private confirm(): void {
    this.lastConfirmed = this.options.clock().getTime();
    this.setState('live');
  }

  private setState(state: ReaderState, reason?: string): void {
    if (this.current === state || this.current === 'closed') return;
    this.current = state;
    this.onStateChange(state, reason);
  }
}

/**
 * The default `onStateChange`. Unavailable means `failMode` answers instead of the flags (fail
 * open: budgets go unenforced; fail closed: the agent stops), which an operator must hear of; a
 * call without a change is a failed health check, an early sign of the same.
 */
function logStateChanges(log: Logger, failMode: FailMode): (state: ReaderState, reason?: string) => void {
  let last: ReaderState = 'connecting';
  return (state, reason) => {
    const previous = last;
    last = state;
    const fields = { state, previous, reason, failMode };
    if (state === previous) {
      log.warn(fields, `throttle reader ${reason ?? 'reported no change'} (still ${state})`);
    } else if (state === 'unavailable') {
      log.warn(fields, `throttle reader unavailable: answering "${failMode === 'open' ? 'none' : 'blocked'}" (fail ${failMode}) until Firestore answers`);
    } else {
      log.info(fields, state === 'live' && previous === 'unavailable' ? 'throttle reader live again: answering from the flags' : `throttle reader ${state}`);
    }
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Starts a throttle reader; `await createThrottleReader().ready()` before the first check. */
export function createThrottleReader(options: ThrottleReaderOptions = {}): ThrottleReader {
  return new ThrottleReader(options);
}
