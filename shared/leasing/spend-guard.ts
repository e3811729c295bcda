import { Firestore } from '@google-cloud/firestore';
import { LRUCache } from 'lru-cache';
import { scopedBudgetsOf, type BudgetConfig } from '../budget/budget-config';
import { SpendRate } from '../budget/lease-policy';
import { MAX_EVENT_AMOUNT_MICROS, type AiUsage } from '../contracts/cost-event';
import type { CostCategory } from '../contracts/vocabulary';
import { EventValidationError, OptionsError } from '../contracts/validation-error';
import { calculateAiCost, type EstimateInput } from '../pricing/ai-cost';
import { projectIdOf } from '../basics/project-id';
import { installExitHook } from '../publisher/exit-hook';
import type { Attribution } from '../contracts/attribution';
import type { GovernorPublisher } from '../publisher/publisher';
import { ALLOWANCE_DEFAULTS } from '../store/allowance-store';
import { loadBudgetConfig } from '../store/budget-config-store';
import { EstimateMemo } from './estimate-memo';
import { SpendGuardClosedError } from './hard-budget-error';
import { eventIdOf, MAX_SEQ, newSessionPrefix } from '../budget/lease-event-ids';
import { LeaseManager, type LeaseCounters } from './lease-manager';
import { hardTargetsFor, type HardTarget } from './lease-targets';
import type { LocalLease } from './local-lease';
import { Reservation, type ReservationHost } from './reservation';
import { resolveSpendGuardOptions, type ResolvedSpendGuardOptions, type SpendGuardOptions } from './spend-guard-options';

/** A call to reserve for: its estimate in micro-USD, or what `estimateCost` needs (model, prompt size, max output). */
/**
 * `attribution` replaces the publisher's for the settled call's cost event (team, tenant, tags) and
 * decides which `team:`, `tenant:` and `tag:` hard budgets the call reserves against.
 */
export type ReserveInput = { category?: CostCategory; attribution?: Attribution } & ({ estimateMicros: number } | EstimateInput);

export interface SpendGuardStats extends LeaseCounters {
  reservations: number;
  /** Reservations a lease already covered (no I/O). */
  coveredLocally: number;
  /** Reservations granted after waiting for a Firestore round trip (a new lease). */
  withRoundTrip: number;
  /** Reservations refused by a hard budget (after a round trip, or at once while a recent refusal holds). */
  refused: number;
  /** Settled spend above the estimates (calls that cost more than reserved). */
  overdraftMicros: number;
  open: number;
}

const SPEND_GUARD_LIMITS = {
  // Distinct (category, model, attribution) shapes whose hard budgets are remembered; an agent has a few.
  callShapes: 1_024,
} as const;

/**
 * Reserve before a call, settle after: hard budgets — the fleet's monthly ones and scoped ones per
 * scope instance and window — are spent only against leased allowance, so a fleet cannot overspend
 * them; soft budgets only get the cost event. See README "Hard budgets".
 */
export class SpendGuard implements ReservationHost {
  private readonly options: ResolvedSpendGuardOptions;
  private readonly publisher: GovernorPublisher;
  private readonly db: Firestore;
  private readonly ownsClient: boolean;
  private config: BudgetConfig | undefined;
  private loading: Promise<void> | undefined;
  /** The managers a call reserves from, per (category, model, attribution): no window computed per call. */
  private readonly hardManagers = new LRUCache<string, LeaseManager[]>({ max: SPEND_GUARD_LIMITS.callShapes });
  private readonly managers = new Map<string, LeaseManager>();
  /** Whether the config has hard scoped budgets (then model and attribution decide a call's budgets too). */
  private scopedHard = false;
  private session: string;
  private seq = 0;
  private readonly rate: SpendRate;
  private readonly estimates: EstimateMemo;
  private readonly counters: LeaseCounters = { leasesGranted: 0, leasesReturned: 0, firestoreRequests: 0, reaped: 0, contended: 0 };
  private readonly calls = { reservations: 0, coveredLocally: 0, withRoundTrip: 0, refused: 0, overdraftMicros: 0, open: 0 };
  private refreshTimer: NodeJS.Timeout | undefined;
  private removeExitHook: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private whenIdle: (() => void) | undefined;

  constructor(options: SpendGuardOptions) {
    this.options = resolveSpendGuardOptions(options);
    this.publisher = options.publisher;
    const projectId = options.projectId ?? projectIdOf();
    if (!options.firestore && !projectId) throw new OptionsError([{ path: 'projectId', message: 'set projectId or GOOGLE_CLOUD_PROJECT' }]);
    this.db = options.firestore ?? new Firestore({ projectId });
    this.ownsClient = !options.firestore;
    this.session = newSessionPrefix(this.options.clock());
    this.rate = new SpendRate(this.options.policy.rateHalfLifeMilliseconds);
    this.estimates = new EstimateMemo(this.options.priceTable, this.options.unknownModels);
    if (this.options.exitHook) this.removeExitHook = installExitHook(() => this.close(), () => this.close());
  }

  /** Loads the budget config (which budgets are hard, and their amounts) and keeps it fresh. */
  async ready(): Promise<this> {
    await this.loadConfig();
    if (!this.refreshTimer && !this.closing) {
      this.refreshTimer = setInterval(() => void this.loadConfig().catch(this.options.onError), this.options.configRefreshMilliseconds);
      this.refreshTimer.unref();
    }
    return this;
  }

  /**
   * Holds allowance for one call. Resolves at once when the agent's leases cover the estimate;
   * otherwise after one round trip per budget that leases more. Rejects with `HardBudgetExceededError`
   * (naming the budget, for a scoped one its scope instance and window, and what is left) when the
   * estimate does not fit one of the hard budgets the call falls under; nothing stays reserved then.
   */
  async reserve(input: ReserveInput): Promise<Reservation> {
    if (this.closing) throw new SpendGuardClosedError();
    if (!this.config) await this.ready();
    const now = this.options.clock();
    const category = input.category ?? 'AI_API_CALLS';
    const estimateMicros = this.estimate(input, now);
    const model = 'model' in input ? input.model : undefined;
    this.calls.reservations += 1;
    const keys = this.hardManagersOf(category, model, input.attribution);
    const taken: [LeaseManager, LocalLease][] = [];
    for (const manager of keys) {
      const lease = manager.tryReserve(estimateMicros, now);
      if (!lease) break;
      taken.push([manager, lease]);
    }
    if (taken.length === keys.length) {
      this.calls.coveredLocally += 1;
    } else {
      try {
        for (const manager of keys.slice(taken.length)) {
          taken.push([manager, await manager.reserve(estimateMicros)]);
        }
        this.calls.withRoundTrip += 1;
      } catch (error) {
        for (const [manager, lease] of taken) {
          lease.release(estimateMicros);
          manager.afterSettle(lease);
        }
        if ((error as Error).name === 'HardBudgetExceededError') this.calls.refused += 1;
        throw error;
      }
    }
    this.calls.open += 1;
    return new Reservation(this, category, estimateMicros, model, taken, input.attribution);
  }

  stats(): SpendGuardStats {
    return { ...this.counters, ...this.calls };
  }

  /** Stops reserving, waits (up to the close timeout) for open reservations, returns every lease. Safe twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ReservationHost: what a reservation asks of its guard.
  priceUsage(usage: AiUsage): number {
    return calculateAiCost(this.options.priceTable, usage, new Date(this.options.clock()), this.options.unknownModels).amountMicros;
  }

  record(category: CostCategory, eventId: string | undefined, payload: { amountMicros: number } | { usage: AiUsage }, attribution?: Attribution): { eventId: string; accepted: boolean } {
    return this.publisher.emit({ type: 'cost', ...(eventId ? { eventId } : {}), payload: { category, ...payload, ...(attribution ? { attribution } : {}) } });
  }

  nextEventId(): string {
    if (this.seq >= MAX_SEQ) {
      // A session's ids are used up: new leases start a new session (old ones keep their ranges).
      this.session = newSessionPrefix(this.options.clock());
      this.seq = 0;
    }
    return eventIdOf(this.session, this.seq++);
  }

  finished(actualMicros: number, estimateMicros: number, leased: boolean): void {
    this.calls.open -= 1;
    if (leased) {
      this.rate.record(actualMicros, this.options.clock());
      if (actualMicros > estimateMicros) this.calls.overdraftMicros += actualMicros - estimateMicros;
    }
    if (this.calls.open === 0) this.whenIdle?.();
  }

  private estimate(input: ReserveInput, now: number): number {
    if ('estimateMicros' in input) {
      const e = input.estimateMicros;
      if (!Number.isInteger(e) || e < 0 || e > MAX_EVENT_AMOUNT_MICROS) {
        throw new EventValidationError([{ path: 'estimateMicros', message: `must be an integer number of micro-USD in 0..${MAX_EVENT_AMOUNT_MICROS}, got ${e}` }]);
      }
      return e;
    }
    return this.estimates.estimate(input, now);
  }

  /**
   * The lease managers of every hard budget a call applies to: the fleet's, and each hard scoped
   * budget instance of this agent (the publisher's source), its attribution (the call's, else the
   * publisher's) and the call's model.
   */
  private hardManagersOf(category: CostCategory, model: string | undefined, attribution: Attribution | undefined): LeaseManager[] {
    // Without hard scoped budgets only the category matters: no key to build per call.
    const shape = this.scopedHard ? `${category}|${model ?? ''}|${attribution ? JSON.stringify(attribution) : ''}` : category;
    let managers = this.hardManagers.get(shape);
    if (!managers) {
      const identity = this.publisher.identity();
      const subject = { source: identity.source, attribution: attribution ?? identity.attribution, model };
      managers = this.config ? hardTargetsFor(this.config, subject, category, () => this.config).map((t) => this.managerOf(t)) : [];
      this.hardManagers.set(shape, managers);
    }
    return managers;
  }

  private managerOf(target: HardTarget): LeaseManager {
    let manager = this.managers.get(target.id);
    if (!manager) {
      manager = new LeaseManager({
        db: this.db,
        allowanceAt: target.allowanceAt,
        agent: this.options.agent,
        session: () => this.session,
        nextSeq: () => this.seq,
        policy: this.options.policy,
        budgetMicros: target.budgetMicros,
        clock: this.options.clock,
        rate: this.rate,
        // Agents spread over the shards by their session's randomness.
        preferredShard: parseInt(this.session.slice(-2), 36) % ALLOWANCE_DEFAULTS.shardCount,
        counters: this.counters,
        onBackgroundError: this.options.onError,
      });
      this.managers.set(target.id, manager);
    }
    return manager;
  }

  private loadConfig(): Promise<void> {
    this.loading ??= loadBudgetConfig(this.db)
      .then((loaded) => {
        this.config = loaded.config;
        this.hardManagers.clear();
        this.scopedHard = scopedBudgetsOf(loaded.config).some((b) => b.mode === 'hard');
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async shutdown(): Promise<void> {
    this.removeExitHook?.();
    clearInterval(this.refreshTimer);
    if (this.calls.open > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.whenIdle = resolve;
        timer = setTimeout(resolve, this.options.closeTimeoutMilliseconds);
      });
      clearTimeout(timer);
    }
    try {
      await Promise.all([...this.managers.values()].map((m) => m.close()));
    } finally {
      if (this.ownsClient) await this.db.terminate();
    }
  }
}

/** Creates a spend guard; `await createSpendGuard({ publisher }).ready()` before the first call. */
export function createSpendGuard(options: SpendGuardOptions): SpendGuard {
  return new SpendGuard(options);
}
