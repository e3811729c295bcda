/**
 * Runs a task for what was asked, at most once per interval: a request inside the interval
 * schedules one trailing run at its end instead of running again. Failures go to `onError`;
 * nobody awaits the task (it never delays an ack).
 */
export class ThrottledRunner<K> {
  private pending = new Set<K>();
  private lastRun = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly task: (keys: ReadonlySet<K>) => Promise<void>,
    private readonly minIntervalMilliseconds: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  request(keys: Iterable<K>): void {
    for (const k of keys) this.pending.add(k);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.running || this.pending.size === 0) return;
    const wait = Math.max(0, this.lastRun + this.minIntervalMilliseconds - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const keys = this.pending;
    this.pending = new Set();
    this.running = true;
    this.lastRun = Date.now();
    try {
      await this.task(keys);
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
