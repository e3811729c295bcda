/**
 * A switch for reliability tests (R2): with `GOVERNOR_FAULT_RATE` between 0 and 1, that share of
 * handler calls fails at the named stage. Off (0) by default; settings.ts refuses it outside a
 * `demo-` project so it cannot be left on in production.
 */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export type FaultStage = 'before-commit' | 'after-commit';

/** Throws an `InjectedFault` with the configured probability. */
export function maybeInjectFault(stage: FaultStage, rate: number, random: () => number = Math.random): void {
  if (rate > 0 && random() < rate) throw new InjectedFault(`injected fault ${stage}`);
}
