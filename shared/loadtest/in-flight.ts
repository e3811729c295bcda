/** Counts requests in flight and lets the executor wait for them to drain, with a deadline. */
export class InFlight {
  count = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.count += 1;
  }

  end(): void {
    this.count -= 1;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves true when nothing is in flight, false if `timeoutMilliseconds` passed first. */
  drained(timeoutMilliseconds: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMilliseconds);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
