/** What a degraded cache says, at most once per interval. */
export interface DegradedReport {
  cache: string;
  /** Failed or skipped Redis operations since the last report. */
  failures: number;
  lastError: string;
  message: string;
}

/**
 * Counts Redis failures and tells `onDegraded` at most once per interval, so an outage is one
 * log line a minute, not one per lookup; recovery is reported once too.
 */
export class DegradedReporter {
  private failures = 0;
  private lastError = '';
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private degraded = false;
  totalFailures = 0;

  constructor(
    private readonly cache: string,
    private readonly intervalMilliseconds: number,
    private readonly onDegraded: (report: DegradedReport) => void,
    private readonly onRecovered: (cache: string) => void,
    private readonly now: () => number,
  ) {}

  get isDegraded(): boolean {
    return this.degraded;
  }

  failure(error: unknown): void {
    this.failures += 1;
    this.totalFailures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.degraded = true;
    const now = this.now();
    if (now - this.lastReportAt < this.intervalMilliseconds) return;
    this.lastReportAt = now;
    const report = {
      cache: this.cache,
      failures: this.failures,
      lastError: this.lastError,
      message: `cache "${this.cache}": Redis (L2) unreachable, serving from L1 only (${this.failures} failed operation(s); last: ${this.lastError})`,
    };
    this.failures = 0;
    try {
      this.onDegraded(report);
    } catch {
      // A broken log sink must not fail a lookup.
    }
  }

  success(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.failures = 0;
    // The next outage is reported at once, however soon.
    this.lastReportAt = Number.NEGATIVE_INFINITY;
    try {
      this.onRecovered(this.cache);
    } catch {
      // as above
    }
  }
}
