import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { periodOf } from '../../shared/basics/period';
import type { Logger } from '../../shared/logging/logger';
import { keyRotationStatus, type SecretRotationStatus } from '../../shared/reports/rotation-status';
import type { Topology } from '../../shared/topology/topology';
import { listenToChanges } from './change-listeners';
import { readLiveSections, type LiveMemory, type LiveSections } from './dashboard-sections';
import type { DashboardOptions } from './dashboard-options';
import { DeadLetterCounter, type DeadLetterCount } from './dead-letter-counts';
import { performanceView, type PerformanceView } from './performance-view';
import { loadBudgetConfig } from '../../shared/store/budget-config-store';
import { WatchedSpend } from '../../shared/reports/spend-over-time';
import { drillDownScopes, readDrillDowns, type DrillDown } from './scope-sections';

export type Section = 'live' | 'drillDown' | 'performance' | 'keys' | 'deadLetters' | 'listeners';

/** Everything one viewer's page shows; sections not read yet are null, failed ones name their error. */
export interface DashboardView {
  version: number;
  generatedAt: string;
  projectId: string;
  window: string;
  windows: readonly string[];
  /** The scope instance this viewer drills into, if any, and what it shows. */
  scope: string | null;
  drillDown: DrillDown | null;
  live: LiveSections | null;
  performance: PerformanceView | null;
  keys: SecretRotationStatus[] | null;
  deadLetters: DeadLetterCount[] | null;
  errors: Partial<Record<Section, string>>;
}

export interface LiveStateDeps {
  db: Firestore;
  pubsub: PubSub;
  projectId: string;
  topology: Topology;
  secretManager: () => SecretManagerServiceClient;
  log: Logger;
  options: Required<DashboardOptions>;
  now?: () => Date;
}

type Viewer = { window: string; scope: string | undefined; send: (view: DashboardView) => void };

/**
 * One shared picture of Governor per instance. Firestore listeners on the documents that change
 * with events (spend shards, flags, budget alerts, bans, performance alerts, budgets) trigger one
 * debounced read of the live sections — at most one per `minRefreshMilliseconds` whatever the
 * number of viewers — and timers re-read metrics, dead letters and keys. Every change is pushed
 * to every viewer (server-sent events); viewers never cause reads of their own.
 */
export class LiveState {
  private live: LiveSections | null = null;
  private readonly performance = new Map<string, PerformanceView>();
  private drillDowns = new Map<string, DrillDown>();
  /** Drill-down scopes being read for a view that asked for one not read yet. */
  private readonly wantedScopes = new Set<string>();
  private readonly watched = new WatchedSpend();
  private readonly memory: LiveMemory = { ledgerBuckets: new Map() };
  private keys: SecretRotationStatus[] | null = null;
  private deadLetters: DeadLetterCount[] | null = null;
  private readonly errors: Partial<Record<Section, string>> = {};
  private readonly viewers = new Set<Viewer>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly deadLetterCounter: DeadLetterCounter;
  private unlisten: (() => void)[] = [];
  private listeningPeriod: string | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  /** A read of the scoped sections owed to a change that came while their last read was still fresh. */
  private scopedTimer: NodeJS.Timeout | undefined;
  private liveRun: Promise<void> | undefined;
  private liveDirty = false;
  private lastLiveRead = 0;
  private version = 0;
  private started: Promise<void> | undefined;
  /** Listeners and timers run from the first view until the instance has been idle a while. */
  private active = false;
  private lastUse = Date.now();
  private pendingViews = 0;
  /** Reads in progress, so close() can wait for them before closing their clients. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly deps: LiveStateDeps) {
    this.now = deps.now ?? (() => new Date());
    this.deadLetterCounter = new DeadLetterCounter(deps.pubsub, deps.projectId, deps.topology);
  }

  /** Starts listeners and timers once; resolves when the live sections and the default window are read. */
  start(): Promise<void> {
    this.lastUse = Date.now();
    this.started ??= (async () => {
      this.active = true;
      const { options } = this.deps;
      const every = (ms: number, work: () => Promise<void>) => {
        const timer = setInterval(() => void work(), ms);
        timer.unref();
        this.timers.push(timer);
      };
      every(options.backstopRefreshMilliseconds, async () => (this.isIdle() ? this.pause() : this.refreshLive()));
      every(options.performanceRefreshMilliseconds, () => this.refreshPerformance());
      every(options.deadLetterRefreshMilliseconds, () => this.refreshDeadLetters());
      every(options.keysRefreshMilliseconds, () => this.refreshKeys());
      void this.refreshDeadLetters();
      void this.refreshKeys();
      // A read still running from before an idle stop may predate changes made since: read anew.
      if (this.liveRun) await this.liveRun;
      await Promise.all([this.refreshLive(), this.refreshPerformance()]);
    })();
    return this.started;
  }

  /** Whether listeners and timers run (false before the first view and once idle). */
  get running(): boolean {
    return this.active;
  }

  /** The view for a window (and a drill-down scope), once the first reads are done. */
  async view(window: string, scope?: string): Promise<DashboardView> {
    this.pendingViews += 1;
    try {
      await this.start();
      if (!this.performance.has(window)) await this.refreshPerformance([window]);
      if (scope !== undefined && !this.drillDowns.has(scope)) {
        // Read with the next live refresh (one already running may have started without it).
        this.wantedScopes.add(scope);
        try {
          if (this.liveRun) await this.liveRun;
          await this.refreshLive();
        } finally {
          this.wantedScopes.delete(scope);
        }
      }
      return this.viewOf(window, scope);
    } finally {
      this.pendingViews -= 1;
      // Idle time counts from when the view was delivered, however long the reads took.
      this.lastUse = Date.now();
    }
  }

  /** Adds a viewer that is sent every new view of its window and drill-down scope; returns its removal. */
  subscribe(window: string, send: (view: DashboardView) => void, scope?: string): () => void {
    const viewer = { window, scope, send };
    this.viewers.add(viewer);
    this.lastUse = Date.now();
    void this.view(window, scope).then((v) => this.viewers.has(viewer) && send(v), (error: unknown) => this.deps.log.error({ err: error }, 'dashboard: first view failed'));
    return () => {
      this.viewers.delete(viewer);
      this.lastUse = Date.now();
    };
  }

  /** Reads the live sections and keys now (after an action), past the debounce, and pushes the result. */
  async refreshNow(): Promise<void> {
    if (this.liveRun) await this.liveRun;
    this.lastLiveRead = 0;
    await Promise.all([this.refreshLive(), this.refreshKeys()]);
  }

  async close(): Promise<void> {
    this.pause();
    this.viewers.clear();
    await Promise.allSettled([...this.inFlight]);
    await this.deadLetterCounter.close();
  }

  /** No viewer connected, no view being made, and none delivered during `idleStopMilliseconds`. */
  private isIdle(): boolean {
    return this.viewers.size === 0 && this.pendingViews === 0 && Date.now() - this.lastUse > this.deps.options.idleStopMilliseconds;
  }

  /** Stops listening and reading (an idle instance costs no reads); the next view starts again. */
  private pause(): void {
    this.active = false;
    this.started = undefined;
    for (const t of this.timers.splice(0)) clearInterval(t);
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
    clearTimeout(this.scopedTimer);
    this.scopedTimer = undefined;
    this.stopListening();
  }

  private viewOf(window: string, scope: string | undefined): DashboardView {
    return {
      version: this.version,
      generatedAt: this.now().toISOString(),
      projectId: this.deps.projectId,
      window,
      windows: this.deps.options.windows,
      scope: scope ?? null,
      drillDown: scope === undefined ? null : (this.drillDowns.get(scope) ?? null),
      live: this.live,
      performance: this.performance.get(window) ?? null,
      keys: this.keys,
      deadLetters: this.deadLetters,
      errors: { ...this.errors },
    };
  }

  private broadcast(): void {
    this.version += 1;
    for (const viewer of this.viewers) {
      try {
        viewer.send(this.viewOf(viewer.window, viewer.scope));
      } catch (error) {
        this.deps.log.warn({ err: error }, 'dashboard: a viewer could not be sent the view; dropped');
        this.viewers.delete(viewer);
      }
    }
  }

  /** Runs a section's read, recording its error for the page and the log instead of throwing. */
  private async section(name: Section, read: () => Promise<void>): Promise<void> {
    const run = read().then(
      () => {
        delete this.errors[name];
      },
      (error: unknown) => {
        this.errors[name] = (error as Error).message;
        this.deps.log.error({ err: error, section: name }, `dashboard: reading ${name} failed`);
      },
    );
    this.inFlight.add(run);
    try {
      await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  private scheduleLive(): void {
    this.liveDirty = true;
    if (this.liveTimer || this.liveRun || !this.active) return;
    const { debounceMilliseconds, minRefreshMilliseconds } = this.deps.options;
    const wait = Math.max(debounceMilliseconds, this.lastLiveRead + minRefreshMilliseconds - Date.now());
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      void this.refreshLive();
    }, wait);
  }

  private refreshLive(): Promise<void> {
    if (this.liveRun) {
      this.liveDirty = true;
      return this.liveRun;
    }
    this.liveDirty = false;
    this.lastLiveRead = Date.now();
    this.liveRun = (async () => {
      const now = this.now();
      this.listen(periodOf(now).id);
      await Promise.all([
        this.section('live', async () => {
          this.live = await readLiveSections(this.deps.db, now, this.memory, this.deps.options.scopedRefreshMilliseconds);
          this.owedScopedRead(now);
        }),
        this.section('drillDown', async () => {
          const scopes = drillDownScopes([...this.wantedScopes, ...[...this.viewers].map((v) => v.scope)]);
          this.drillDowns = scopes.size === 0 ? new Map() : await readDrillDowns(this.deps.db, (await loadBudgetConfig(this.deps.db)).config, now, scopes, this.watched);
        }),
      ]);
    })().finally(() => {
      this.liveRun = undefined;
      this.broadcast();
      if (this.liveDirty) this.scheduleLive();
    });
    return this.liveRun;
  }

  /** When a change was served the last scoped read (younger than its interval), reads again once it expires. */
  private owedScopedRead(now: Date): void {
    const readAt = this.memory.scoped?.readAt;
    if (readAt === undefined || readAt >= now.getTime() || this.scopedTimer) return;
    this.scopedTimer = setTimeout(() => {
      this.scopedTimer = undefined;
      this.scheduleLive();
    }, readAt + this.deps.options.scopedRefreshMilliseconds - now.getTime());
    this.scopedTimer.unref();
  }

  private async refreshPerformance(only?: string[]): Promise<void> {
    const windows = only ?? [...new Set([this.deps.options.defaultWindow, ...[...this.viewers].map((v) => v.window)])];
    await this.section('performance', async () => {
      const views = await Promise.all(windows.map((w) => performanceView(this.deps.db, w, this.now())));
      windows.forEach((w, i) => this.performance.set(w, views[i] as PerformanceView));
    });
    this.broadcast();
  }

  private async refreshDeadLetters(): Promise<void> {
    await this.section('deadLetters', async () => {
      this.deadLetters = await this.deadLetterCounter.count();
    });
    this.broadcast();
  }

  private async refreshKeys(): Promise<void> {
    await this.section('keys', async () => {
      this.keys = await keyRotationStatus(this.deps.secretManager(), this.deps.db, this.deps.projectId, this.now().getTime());
    });
    this.broadcast();
  }

  /** Listens to the period's documents (change-listeners.ts); a new month moves the listeners to its documents. */
  private listen(periodId: string): void {
    if (!this.active || this.listeningPeriod === periodId) return;
    this.stopListening();
    this.listeningPeriod = periodId;
    const onError = (what: string, error: Error) => {
      this.errors.listeners = `${what}: ${error.message}; the page refreshes every ${this.deps.options.backstopRefreshMilliseconds / 1000} s until it listens again`;
      this.deps.log.error({ err: error }, `dashboard: listener on ${what} failed`);
      // Listen again on the next read (the backstop timer guarantees one).
      this.listeningPeriod = undefined;
    };
    this.unlisten = [listenToChanges(this.deps.db, periodId, this.now(), () => this.scheduleLive(), onError)];
    delete this.errors.listeners;
  }

  private stopListening(): void {
    for (const stop of this.unlisten) stop();
    this.unlisten = [];
    this.listeningPeriod = undefined;
  }
}
