import { OptionsError } from '../../shared/contracts/validation-error';
import { windowMilliseconds } from '../../shared/metrics/windows';

export interface DashboardOptions {
  /** Wait after a listener fires before reading, so a burst of changes costs one read. */
  debounceMilliseconds?: number;
  /** At most one read of the live sections per this interval, however many changes and viewers. */
  minRefreshMilliseconds?: number;
  /** Re-read of the live sections without a change (bans lapse by time, nothing writes then). */
  backstopRefreshMilliseconds?: number;
  /** At most one read of the scoped budgets' lines and top spenders per this interval (their cost grows with scope instances). */
  scopedRefreshMilliseconds?: number;
  performanceRefreshMilliseconds?: number;
  deadLetterRefreshMilliseconds?: number;
  keysRefreshMilliseconds?: number;
  /** With no viewer for this long, listeners and timers stop until the next page load. */
  idleStopMilliseconds?: number;
  /** SSE comment sent to idle connections so proxies keep them open. */
  keepAliveMilliseconds?: number;
  /** Windows a viewer may choose for the performance panel (each is read once per refresh, shared). */
  windows?: readonly string[];
  defaultWindow?: string;
}

export const DASHBOARD_DEFAULTS: Required<DashboardOptions> = {
  // Events land in group commits; a quarter second gathers one commit's shard writes.
  debounceMilliseconds: 250,
  // Well under the 1 write/s/doc scale the stores are built for: reads never outpace writes.
  minRefreshMilliseconds: 1000,
  backstopRefreshMilliseconds: 30_000,
  // A template's read sums every counter shard of its window (16 per agent that spent): 10 s keeps
  // a 10,000-agent fleet's dashboard to a read of each counter shard every 10 s, flags still show within it.
  scopedRefreshMilliseconds: 10_000,
  // Metric buckets are written every agent flush (10 s); 5 s shows a new one soon enough.
  performanceRefreshMilliseconds: 5000,
  deadLetterRefreshMilliseconds: 15_000,
  // Secret Manager changes only on rotation (minutes to hours); keep its quota for the rotator.
  keysRefreshMilliseconds: 30_000,
  keepAliveMilliseconds: 15_000,
  // Long enough to ride out a page reload or a reconnecting event stream.
  idleStopMilliseconds: 120_000,
  windows: ['15m', '1h', '6h', '24h'],
  defaultWindow: '1h',
};

/** Options merged over the defaults and checked once; a bad value is an OptionsError naming it. */
export function dashboardOptions(options: DashboardOptions = {}): Required<DashboardOptions> {
  const merged = { ...DASHBOARD_DEFAULTS, ...options };
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(merged)) {
    if (key.endsWith('Milliseconds') && !(typeof value === 'number' && Number.isInteger(value) && value > 0)) issues.push({ path: key, message: 'must be a positive integer' });
  }
  for (const w of merged.windows) {
    try {
      windowMilliseconds(w);
    } catch (error) {
      issues.push({ path: 'windows', message: (error as Error).message });
    }
  }
  if (!merged.windows.includes(merged.defaultWindow)) issues.push({ path: 'defaultWindow', message: `must be one of the windows (${merged.windows.join(', ')})` });
  if (issues.length > 0) throw new OptionsError(issues);
  return merged;
}
