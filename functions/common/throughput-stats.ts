import type { Logger } from '../../shared/logging/logger';

interface Stage {
  count: number;
  items: number;
  milliseconds: number;
}

/**
 * Counts what a function's stages did (commits, evaluations…) and logs one INFO line per interval
 * with activity: batch sizes and latencies, the numbers that say whether batching works.
 */
export class ThroughputStats {
  private stages = new Map<string, Stage>();

  /** `intervalMilliseconds`: GOVERNOR_STATS_INTERVAL_MILLISECONDS (settings.ts); 0 logs nothing. */
  constructor(log: Logger, intervalMilliseconds: number) {
    if (!(intervalMilliseconds > 0)) return;
    setInterval(() => {
      if (this.stages.size === 0) return;
      const summary = Object.fromEntries(
        [...this.stages].map(([name, s]) => [name, { count: s.count, items: s.items, meanItems: +(s.items / s.count).toFixed(1), meanMilliseconds: +(s.milliseconds / s.count).toFixed(1) }]),
      );
      this.stages = new Map();
      log.info({ stats: summary, intervalMilliseconds }, 'throughput');
    }, intervalMilliseconds).unref();
  }

  /** Counts `items` things of a stage that is not timed (reads made, decisions taken). */
  count(stage: string, items: number): void {
    const s = this.stages.get(stage) ?? { count: 0, items: 0, milliseconds: 0 };
    s.count += 1;
    s.items += items;
    this.stages.set(stage, s);
  }

  /** Times one run of a stage that handled `items` things. */
  async time<T>(stage: string, items: number, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const s = this.stages.get(stage) ?? { count: 0, items: 0, milliseconds: 0 };
      s.count += 1;
      s.items += items;
      s.milliseconds += performance.now() - started;
      this.stages.set(stage, s);
    }
  }
}
