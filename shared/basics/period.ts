/** Budget periods are calendar months in UTC, named `YYYY-MM`. */
export interface Period {
  id: string;
  start: Date;
  /** Exclusive end: the first instant of the next month. */
  end: Date;
}

export function periodOf(at: Date): Period {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, month + 1, 1));
  return { id: `${year}-${String(month + 1).padStart(2, '0')}`, start, end };
}

export function parsePeriodId(id: string): Period {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(id);
  if (!match) throw new Error(`"${id}" is not a period (YYYY-MM)`);
  return periodOf(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)));
}

/** The period before this one. */
export function previousPeriod(period: Period): Period {
  return periodOf(new Date(period.start.getTime() - 1));
}
