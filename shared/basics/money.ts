/** Dollars to integer micro-USD, the one unit money is stored and summed in (rounded to the micro-dollar). */
export function microsOfUsd(usd: number): number {
  return Math.round(usd * 1_000_000);
}

/** Display only: integer micro-USD as dollars (cents above a cent, micro-dollars below). */
export function formatUsd(micros: number): string {
  if (!Number.isFinite(micros)) return String(micros);
  const usd = micros / 1_000_000;
  return `$${Math.abs(usd) >= 0.01 || usd === 0 ? usd.toFixed(2) : usd.toFixed(6)}`;
}

export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : '∞%';
}
