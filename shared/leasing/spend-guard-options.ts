import { hostname } from 'node:os';
import type { Firestore } from '@google-cloud/firestore';
import { LEASE_POLICY_DEFAULTS, type LeasePolicy } from '../budget/lease-policy';
import { agentIdSchema } from '../contracts/envelope';
import { OptionsError } from '../contracts/validation-error';
import type { PriceTable } from '../pricing/price-table';
import { PRICE_TABLE } from '../pricing/price-data';
import type { UnknownModelPolicy } from '../pricing/provisional-price';
import type { GovernorPublisher } from '../publisher/publisher';

export interface SpendGuardOptions {
  /** Where settled calls go as cost events (the agent's publisher). Required. */
  publisher: GovernorPublisher;
  /** Share the agent's client; default a new one (terminated by `close()`). */
  firestore?: Firestore;
  /** Default `GOOGLE_CLOUD_PROJECT`. */
  projectId?: string;
  /** Names this agent on its leases (diagnostics only). Default `<hostname>-<pid>`. */
  agent?: string;
  /** Prices for estimates and settlement; must be the table the functions price with. */
  priceTable?: PriceTable;
  /** How a model without a price is estimated and settled: provisionally, like the functions charge it. */
  unknownModels?: UnknownModelPolicy;
  /** Lease sizing and timing (shared/budget/lease-policy.ts). */
  policy?: Partial<LeasePolicy>;
  /** How often the budget config (amounts, modes) is re-read. */
  configRefreshMilliseconds?: number;
  /** How long `close()` waits for open reservations before charging them at their estimates. */
  closeTimeoutMilliseconds?: number;
  /** Return leases on `beforeExit`, SIGINT and SIGTERM (default true). */
  exitHook?: boolean;
  /** Agent clock, ms since the epoch. */
  clock?: () => number;
  /** A background failure (config refresh, lease return); default one ERROR line on stderr. */
  onError?: (error: unknown) => void;
}

export const SPEND_GUARD_DEFAULTS = {
  // Budget changes (and a budget turned hard) reach agents within half a minute.
  configRefreshMilliseconds: 30_000,
  closeTimeoutMilliseconds: 10_000,
  exitHook: true,
} as const;

export interface ResolvedSpendGuardOptions {
  agent: string;
  priceTable: PriceTable;
  unknownModels: UnknownModelPolicy;
  policy: LeasePolicy;
  configRefreshMilliseconds: number;
  closeTimeoutMilliseconds: number;
  exitHook: boolean;
  clock: () => number;
  onError: (error: unknown) => void;
}

function reportGuardError(error: unknown): void {
  process.stderr.write(`${JSON.stringify({ severity: 'ERROR', component: 'governor-spend-guard', message: error instanceof Error ? error.message : String(error) })}\n`);
}

/** Validates options once; a bad value throws `OptionsError` naming it. */
export function resolveSpendGuardOptions(options: SpendGuardOptions): ResolvedSpendGuardOptions {
  const issues: { path: string; message: string }[] = [];
  if (!options.publisher) issues.push({ path: 'publisher', message: 'a publisher is required: settled calls are recorded as cost events' });
  const agent = options.agent ?? `${hostname()}-${process.pid}`;
  if (!agentIdSchema.safeParse(agent).success) issues.push({ path: 'agent', message: 'letters, digits and . _ : @ / - only (1–128 characters)' });
  const policy: LeasePolicy = { ...LEASE_POLICY_DEFAULTS, ...Object.fromEntries(Object.entries(options.policy ?? {}).filter(([, v]) => v !== undefined)) };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) issues.push({ path: `policy.${key}`, message: `must be a non-negative number, got ${String(value)}` });
  }
  if (!(policy.maxShareOfAvailable > 0 && policy.maxShareOfAvailable <= 1)) issues.push({ path: 'policy.maxShareOfAvailable', message: 'must be in (0, 1]' });
  if (!(policy.leaseTtlMilliseconds > policy.expiryMarginMilliseconds)) issues.push({ path: 'policy.leaseTtlMilliseconds', message: 'must exceed policy.expiryMarginMilliseconds' });
  if (!(policy.rateHalfLifeMilliseconds > 0)) issues.push({ path: 'policy.rateHalfLifeMilliseconds', message: 'must be positive' });
  const configRefreshMilliseconds = options.configRefreshMilliseconds ?? SPEND_GUARD_DEFAULTS.configRefreshMilliseconds;
  if (!(configRefreshMilliseconds > 0)) issues.push({ path: 'configRefreshMilliseconds', message: 'must be positive' });
  const closeTimeoutMilliseconds = options.closeTimeoutMilliseconds ?? SPEND_GUARD_DEFAULTS.closeTimeoutMilliseconds;
  if (!(closeTimeoutMilliseconds >= 0)) issues.push({ path: 'closeTimeoutMilliseconds', message: 'must be non-negative' });
  if (issues.length > 0) throw new OptionsError(issues);
  return {
    agent,
    priceTable: options.priceTable ?? PRICE_TABLE,
    unknownModels: options.unknownModels ?? {},
    policy,
    configRefreshMilliseconds,
    closeTimeoutMilliseconds,
    exitHook: options.exitHook ?? SPEND_GUARD_DEFAULTS.exitHook,
    clock: options.clock ?? Date.now,
    onError: options.onError ?? reportGuardError,
  };
}
