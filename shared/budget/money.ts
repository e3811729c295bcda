/** Display only: integer micro-USD as dollars (cents above a cent, micro-dollars below). */
export function formatUsd(micros: number): string {
  if (!Number.isFinite(micros)) return String(micros);
  const usd = micros / 1_000_000;
  return `$${Math.abs(usd) >= 0.01 || usd === 0 ? usd.toFixed(2) : usd.toFixed(6)}`;
}

export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : '∞%';
}
