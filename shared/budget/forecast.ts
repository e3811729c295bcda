import type { Period } from '../basics/period';

export type Forecast =
  | { status: 'ok'; forecastMicros: number; basis: 'complete-period' | 'run-rate' }
  | { status: 'insufficient-data'; reason: string; availableAt: Date };

const HOUR = 3_600_000;

/**
 * Month-end spend at the current run rate: spend ÷ elapsed × period length, where elapsed counts
 * from the later of the period start and the first recorded event (history before Governor saw
 * spend is unknown, not zero). Refuses to guess before `minHistoryHours` of history.
 */
export function forecastSpend(spentMicros: number, period: Period, now: Date, dataStart: Date | undefined, minHistoryHours: number): Forecast {
  if (now.getTime() >= period.end.getTime()) return { status: 'ok', forecastMicros: spentMicros, basis: 'complete-period' };
  const start = Math.max(period.start.getTime(), dataStart?.getTime() ?? period.start.getTime());
  const elapsed = now.getTime() - start;
  const needed = minHistoryHours * HOUR;
  if (elapsed < needed) {
    const hours = Math.max(0, elapsed / HOUR);
    return {
      status: 'insufficient-data',
      reason: `not enough data: ${hours.toFixed(1)} h of history, a forecast needs ${minHistoryHours} h`,
      availableAt: new Date(start + needed),
    };
  }
  const remaining = period.end.getTime() - now.getTime();
  const forecastMicros = Math.round(spentMicros + (spentMicros / elapsed) * remaining);
  return { status: 'ok', forecastMicros, basis: 'run-rate' };
}
