/**
 * Budget windows on the calendar of an IANA time zone: an hour, a day, an ISO week (from Monday)
 * or a month, each from its first instant to the first instant of the next — so a day in a zone
 * that changes to or from daylight saving time is 23 or 25 hours, and a "month" is the calendar
 * month there, never 30 days (BerriAI/litellm#9098, #34896).
 */
export const BUDGET_WINDOWS = ['hour', 'day', 'week', 'month'] as const;
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];

/** One window: its id (unique per window kind and zone), first instant and exclusive end. */
export interface WindowSpan {
  id: string;
  start: Date;
  end: Date;
}

interface LocalTime {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows the zone (`UTC`, `Europe/Paris`, …). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

function localTimeOf(at: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (local − UTC). */
function offsetAt(at: number, timeZone: string): number {
  const l = localTimeOf(at, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The first instant at which the zone's clock reads the given wall time — or, when a change to
 * daylight saving time skips that time, the instant the clock jumps past it.
 */
function instantOf(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  // The offsets a day before and after cover any single transition near the wall time.
  const candidates = [offsetAt(wall - 86_400_000, timeZone), offsetAt(wall + 86_400_000, timeZone)].map((o) => wall - o);
  const exact = candidates.filter((c) => offsetAt(c, timeZone) === wall - c).sort((a, b) => a - b);
  if (exact.length > 0) return exact[0]!;
  // Skipped: the transition lies between the two candidates; find it to the second.
  let [low, high] = [Math.min(...candidates), Math.max(...candidates)];
  const after = offsetAt(high, timeZone);
  while (high - low > 1000) {
    const mid = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === after) high = mid;
    else low = mid;
  }
  return high;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO week-numbering year and week of a calendar date (weeks from Monday; week 1 holds 4 January). */
function isoWeekOf(year: number, month: number, day: number): { year: number; week: number } {
  const thursday = (y: number, m: number, d: number) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7) + 3);
    return date;
  };
  const ofDate = thursday(year, month, day);
  const weekYear = ofDate.getUTCFullYear();
  const first = thursday(weekYear, 1, 4);
  return { year: weekYear, week: 1 + Math.round((ofDate.getTime() - first.getTime()) / (7 * 86_400_000)) };
}

/** The window of kind `window` in `timeZone` that contains `at`. */
export function windowOf(window: BudgetWindow, timeZone: string, at: Date): WindowSpan {
  const t = at.getTime();
  const l = localTimeOf(t, timeZone);
  switch (window) {
    case 'hour': {
      // An hour is the instant-based hour of the zone's clock: at a change back from daylight
      // saving time the repeated hour is two windows, told apart by their offset.
      const start = t - ((l.minute * 60 + l.second) * 1000 + (((t % 1000) + 1000) % 1000));
      const offsetMinutes = Math.round(offsetAt(start, timeZone) / 60_000);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const id = `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
      return { id, start: new Date(start), end: new Date(start + 3_600_000) };
    }
    case 'day': {
      const next = new Date(Date.UTC(l.year, l.month - 1, l.day + 1));
      return {
        id: `${l.year}-${pad(l.month)}-${pad(l.day)}`,
        start: new Date(instantOf(l.year, l.month, l.day, 0, timeZone)),
        end: new Date(instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, timeZone)),
      };
    }
    case 'week': {
      const dow = (new Date(Date.UTC(l.year, l.month - 1, l.day)).getUTCDay() + 6) % 7;
      const monday = new Date(Date.UTC(l.year, l.month - 1, l.day - dow));
      const nextMonday = new Date(Date.UTC(l.year, l.month - 1, l.day - dow + 7));
      const iso = isoWeekOf(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
      return {
        id: `${iso.year}-W${pad(iso.week)}`,
        start: new Date(instantOf(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0, timeZone)),
        end: new Date(instantOf(nextMonday.getUTCFullYear(), nextMonday.getUTCMonth() + 1, nextMonday.getUTCDate(), 0, timeZone)),
      };
    }
    case 'month': {
      const next = new Date(Date.UTC(l.year, l.month, 1));
      return {
        id: `${l.year}-${pad(l.month)}`,
        start: new Date(instantOf(l.year, l.month, 1, 0, timeZone)),
        end: new Date(instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, 0, timeZone)),
      };
    }
  }
}
