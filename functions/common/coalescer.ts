/**
 * Runs a task at most once at a time, for the union of what was asked since the last run started.
 * `request()` resolves after a run that started after the request — so every caller sees work that
 * covers its own change — while concurrent callers share that run.
 */
export class Coalescer<K> {
  private pending = new Set<K>();
  private next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  private running = false;

  constructor(private readonly task: (keys: ReadonlySet<K>) => Promise<void>) {}

  request(keys: Iterable<K>): Promise<void> {
    for (const k of keys) this.pending.add(k);
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
    }
    const waitFor = this.next.promise;
    void this.drain();
    return waitFor;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.next) {
        const run = this.next;
        const keys = this.pending;
        this.next = undefined;
        this.pending = new Set();
        try {
          await this.task(keys);
          run.resolve();
        } catch (error) {
          run.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
