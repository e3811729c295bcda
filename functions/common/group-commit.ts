export interface GroupCommitOptions<T> {
  /** Most items in one commit. */
  maxItems: number;
  /** Commits running at once; more requests queue and join the next commit. */
  maxConcurrent: number;
  /** Most bytes in one commit, measured by `sizeOf` (a commit request has a size limit too). */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
}

interface Waiter<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: each request's item joins the next commit, and resolves when that commit does.
 * At low load a commit starts at once (no added latency); under load the requests that arrive
 * while commits run are batched together, so writes grow with commits, not with requests.
 */
export class GroupCommitter<T, R> {
  private readonly queue: Waiter<T, R>[] = [];
  private running = 0;

  constructor(
    private readonly commit: (items: T[]) => Promise<R>,
    private readonly options: GroupCommitOptions<T>,
  ) {
    if (!(options.maxItems >= 1 && options.maxConcurrent >= 1)) throw new Error('maxItems and maxConcurrent must be at least 1');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** How many queued items the next commit takes: by count, then by bytes (at least one). */
  private takeCount(): number {
    const { maxItems, maxBytes, sizeOf } = this.options;
    const n = Math.min(maxItems, this.queue.length);
    if (maxBytes === undefined || sizeOf === undefined) return n;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      bytes += sizeOf((this.queue[i] as Waiter<T, R>).item);
      if (bytes > maxBytes) return Math.max(1, i);
    }
    return n;
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.queue.length > 0) {
      const waiters = this.queue.splice(0, this.takeCount());
      this.running += 1;
      this.commit(waiters.map((w) => w.item)).then(
        (result) => waiters.forEach((w) => w.resolve(result)),
        (error: unknown) => waiters.forEach((w) => w.reject(error)),
      ).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }
}
