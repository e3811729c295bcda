/**
 * A switch for reliability tests (R2): with `GOVERNOR_FAULT_RATE` between 0 and 1, that share of
 * handler calls fails at the named stage. Off (0) by default; refused outside a `demo-` project so
 * it cannot be left on in production.
 */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export type FaultStage = 'before-commit' | 'after-commit';

export function faultRate(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GOVERNOR_FAULT_RATE;
  if (!raw) return 0;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new Error(`GOVERNOR_FAULT_RATE must be between 0 and 1, got "${raw}"`);
  if (rate > 0 && !(env.GOOGLE_CLOUD_PROJECT ?? '').startsWith('demo-')) {
    throw new Error('GOVERNOR_FAULT_RATE is only allowed in a demo- project');
  }
  return rate;
}

/** Throws an `InjectedFault` with the configured probability. */
export function maybeInjectFault(stage: FaultStage, rate: number, random: () => number = Math.random): void {
  if (rate > 0 && random() < rate) throw new InjectedFault(`injected fault ${stage}`);
}
