/** Statistics windows: `5m`, `1h`, `24h`, or any `<n>s|m|h|d`. */
const UNIT_MILLISECONDS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface Window {
  label: string;
  start: Date;
  end: Date;
}

/** Parses a window length; throws a message naming the accepted forms. */
export function windowMilliseconds(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const unit = match ? UNIT_MILLISECONDS[match[2] as string] : undefined;
  const length = match ? Number(match[1]) : 0;
  if (!unit || length <= 0) throw new Error(`"${text}" is not a window: use e.g. 5m, 1h, 24h, 7d`);
  return length * unit;
}

/** The window of `length` ending now, and the one before it (for trends). */
export function windowsEndingAt(end: Date, label: string): { current: Window; previous: Window } {
  const ms = windowMilliseconds(label);
  const start = new Date(end.getTime() - ms);
  return { current: { label, start, end }, previous: { label, start: new Date(start.getTime() - ms), end: start } };
}
