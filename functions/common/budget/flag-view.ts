import type { BudgetKey } from '../../../shared/budget/budget-config';
import { strictest, type ThrottleLevel } from '../../../shared/budget/thresholds';

interface PeriodFlags {
  /** Config version the flags transaction validated when these levels were seen. */
  configVersion: number;
  levels: Map<BudgetKey, ThrottleLevel>;
}

/**
 * The throttle levels an instance saw stored by its own flag transactions, per period, with the
 * config version each transaction validated. Under that version a stored level only rises
 * (`applyFlags` never lowers a flag stamped with the config in force and stamps every raised flag
 * it leaves alone), so a level seen here is a floor of the stored one until the config changes;
 * under any other version it tells nothing.
 */
export class FlagView {
  private readonly periods = new Map<string, PeriodFlags>();

  /** The level seen for a budget under `configVersion`, or undefined when not known under it. */
  level(periodId: string, key: BudgetKey, configVersion: number): ThrottleLevel | undefined {
    const flags = this.periods.get(periodId);
    if (!flags || flags.configVersion !== configVersion) return undefined;
    return flags.levels.get(key);
  }

  /** Records what a flag transaction that validated `configVersion` left stored. */
  record(periodId: string, configVersion: number, levels: Partial<Record<BudgetKey, ThrottleLevel>>): void {
    let flags = this.periods.get(periodId);
    // Another version's levels are no floor under this one: start over. (An older transaction
    // finishing after a newer one replaces the newer view; the next evaluation under the newer
    // config finds its levels unknown and runs the transaction — conservative, never wrong.)
    if (!flags || flags.configVersion !== configVersion) {
      flags = { configVersion, levels: new Map() };
      this.periods.set(periodId, flags);
    }
    for (const [key, level] of Object.entries(levels) as [BudgetKey, ThrottleLevel][]) {
      // Under one version stored levels only rise: two transactions' views merge to the higher.
      flags.levels.set(key, strictest(flags.levels.get(key) ?? level, level));
    }
  }
}
