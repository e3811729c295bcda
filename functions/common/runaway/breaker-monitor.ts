import type { Firestore } from '@google-cloud/firestore';
import type { SpendRecord } from '../../../shared/budget/price-cost-event';
import { kindOfInstance, parseScope, scopeInstanceOf, type Scope, type SpendSubject } from '../../../shared/budget/scope';
import type { BreakerConfig, BreakerRule } from '../../../shared/runaway/breaker-rule';
import { BurnWindow } from '../../../shared/runaway/burn-window';
import { MinuteTally } from '../../../shared/runaway/minute-tally';
import { isSuspect } from '../../../shared/runaway/trip-decision';
import type { Logger } from '../../../shared/logging/logger';
import { writeBurnMinutes } from '../../../shared/store/burn-minutes-store';
import type { CachedConfig } from '../cached-config';
import { checkInstance, type BreakerCheckDeps } from './breaker-check';

export const BREAKER_MONITOR_DEFAULTS = {
  // How often this instance's window is looked at: a trip lands within a second of the rate crossing.
  evaluateIntervalMilliseconds: 1_000,
  // How often what it committed is added to the minute documents (one write per active scope
  // instance): the stored view lags each instance's own by at most this.
  flushIntervalMilliseconds: 10_000,
  // A suspect instance is checked against its stored history at most this often (62 reads a check).
  recheckMilliseconds: 5_000,
  // Longest window a rule may have (breaker-rule.ts): what the memory keeps.
  horizonSeconds: 3_600,
  // What this instance committed is remembered this long even without a rule (a few fields per
  // event): a rule is read up to a config interval (2 s, more under load) after it is stored, and
  // the calls made meanwhile count under it too — a loop of 4 calls right after `breaker set` trips.
  recentMilliseconds: 30_000,
} as const;

/** One committed cost as the breaker counts it, and the scope instances it was counted under. */
interface CommittedCost {
  notedAt: number;
  at: number;
  micros: number;
  subject: SpendSubject;
  call?: { model: string; promptHash?: string };
  team?: string;
  countedIn: string[];
}

export interface BreakerMonitorDeps extends BreakerCheckDeps {
  config: CachedConfig<BreakerConfig>;
  now: () => number;
  countWrites?: (writes: number) => void;
  options?: Partial<typeof BREAKER_MONITOR_DEFAULTS>;
}

/**
 * The burn-rate breaker on the spend path. `noteCommitted` adds each committed (not duplicate)
 * cost to this instance's window and minute tally — synchronous, no I/O; without a rule only a
 * 30-second memory of what was committed. A timer looks at the window every second; only a scope
 * instance above a rule's floor (or repeating a prompt) is checked against its stored history, and
 * tripped once. Another timer adds the tally to the minute documents, so every instance's share
 * reaches the history and the tick.
 */
export class BreakerMonitor {
  private readonly o: typeof BREAKER_MONITOR_DEFAULTS;
  private rules: { rule: BreakerRule; scope: Scope }[] = [];
  private version = -1;
  private readonly window: BurnWindow;
  private readonly tally = new MinuteTally();
  private readonly teams = new Map<string, string>();
  private readonly lastCheck = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private evaluating: Promise<void> | undefined;
  private readonly recent: CommittedCost[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly deps: BreakerMonitorDeps) {
    this.o = { ...BREAKER_MONITOR_DEFAULTS, ...deps.options };
    this.window = new BurnWindow(this.o.horizonSeconds);
  }

  /**
   * Starts the evaluation and flush timers (unref'd: they never keep a process alive); the first
   * commit does it, so building the function starts no timer and no read.
   */
  start(): this {
    if (this.timers.length > 0) return this;
    const every = (ms: number, run: () => void) => {
      const t = setInterval(run, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.evaluateIntervalMilliseconds, () => void this.evaluate());
    every(this.o.flushIntervalMilliseconds, () => void this.flush());
    void this.evaluate();
    return this;
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  /**
   * Adds the recorded events of a commit (duplicates add nothing: redelivery never raises a rate)
   * under every rule's scope instance, and remembers them for `recentMilliseconds`: rules read
   * later (the first read, or a change) count the remembered ones too, each instance once.
   */
  noteCommitted(records: readonly SpendRecord[], recorded: ReadonlySet<string>): void {
    this.start();
    const now = this.deps.now();
    while (this.recent.length > 0 && (this.recent[0] as CommittedCost).notedAt <= now - this.o.recentMilliseconds) this.recent.shift();
    for (const r of records) {
      if (!recorded.has(r.event.eventId)) continue;
      const team = r.event.payload.attribution?.team;
      const cost: CommittedCost = {
        notedAt: now,
        at: Math.min(Date.parse(r.event.occurredAt), now),
        micros: r.amountMicros,
        subject: { source: r.event.source, attribution: r.event.payload.attribution, model: r.usage?.model },
        ...(r.usage ? { call: { model: r.usage.model, ...(r.usage.promptHash ? { promptHash: r.usage.promptHash } : {}) } } : {}),
        ...(team ? { team } : {}),
        countedIn: [],
      };
      this.recent.push(cost);
      this.count(cost);
    }
  }

  /** Counts a cost under each rule's scope instance it was not yet counted under (rules sharing an instance share its window). */
  private count(cost: CommittedCost): void {
    for (const { scope } of this.rules) {
      const instance = scopeInstanceOf(scope, cost.subject);
      if (instance === undefined || cost.countedIn.includes(instance)) continue;
      cost.countedIn.push(instance);
      const agentTeam = kindOfInstance(instance) === 'agent' ? cost.team : undefined;
      if (agentTeam) this.teams.set(instance, agentTeam);
      this.window.add(instance, cost.at, cost.micros, cost.call);
      this.tally.add(instance, cost.at, cost.micros, cost.call, agentTeam);
    }
  }

  /** Looks at every scope instance this instance saw; checks the suspects. Never throws (logged). */
  evaluate(): Promise<void> {
    this.evaluating ??= this.evaluateOnce()
      .catch((error: unknown) => this.deps.log.error({ err: error }, 'burn-rate breaker evaluation failed; the next one tries again'))
      .finally(() => (this.evaluating = undefined));
    return this.evaluating;
  }

  private async evaluateOnce(): Promise<void> {
    const loaded = await this.deps.config();
    if (loaded.version !== this.version || this.rules.length !== loaded.config.rules.length) {
      this.version = loaded.version;
      this.rules = loaded.config.rules.map((rule) => ({ rule, scope: parseScope(rule.scope) }));
      // What was committed while these rules were not yet read counts under them now.
      for (const cost of this.recent) this.count(cost);
    }
    const now = this.deps.now();
    this.window.prune(now);
    const checks: Promise<void>[] = [];
    for (const instance of this.window.instances()) {
      for (const { rule, scope } of this.rules) {
        if (!covers(scope, instance)) continue;
        const local = this.window.read(instance, rule.windowSeconds, rule.loopWindowSeconds, now);
        if (!isSuspect(rule, local)) continue;
        const key = `${rule.id}|${instance}`;
        if ((this.lastCheck.get(key) ?? 0) > now - this.o.recheckMilliseconds) continue;
        this.lastCheck.set(key, now);
        const team = this.teams.get(instance);
        checks.push(
          checkInstance(this.deps, { rule, instance, ...(team ? { team } : {}), local, now }).then((outcome) => {
            // A trip ends this runaway window: the next trip needs a new one (after a reset or the cool-down).
            if (outcome !== 'no-trip') this.window.clear(instance);
          }),
        );
      }
    }
    for (const [key, at] of this.lastCheck) if (at <= now - this.o.recheckMilliseconds) this.lastCheck.delete(key);
    // Teams of instances the window forgot go too: memory stays bounded by the active scopes.
    const seen = new Set(this.window.instances());
    for (const instance of this.teams.keys()) if (!seen.has(instance)) this.teams.delete(instance);
    await Promise.all(checks);
  }

  /** Adds the tally to the minute documents; a failed write is kept for the next flush. */
  flush(): Promise<void> {
    if (this.tally.size === 0 || this.flushing) return this.flushing ?? Promise.resolve();
    this.flushing ??= (async () => {
      const increments = this.tally.drain();
      try {
        this.deps.countWrites?.(await writeBurnMinutes(this.deps.db as Firestore, increments));
      } catch (error) {
        this.tally.restore(increments);
        this.deps.log.error({ err: error, documents: increments.length }, 'burn-rate minutes not written; kept for the next flush');
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }
}

/** Whether a rule's scope covers a scope instance (`agent:*` covers `agent:writer-1`). */
export function covers(scope: Scope, instance: string): boolean {
  if (scope.kind === 'fleet') return instance === 'fleet';
  if (kindOfInstance(instance) !== scope.kind) return false;
  return scope.name === '*' || instance === `${scope.kind}:${scope.name}`;
}
