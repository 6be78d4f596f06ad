// 工作日历 in memory: which days are working days in Asia/Shanghai, and which instant lies N
// working days on. Appeal deadlines (sign-by, reply-by, resolve-by) call these on every intake,
// so they are synchronous, touch no database and allocate nothing but the Date they return.
//
// A day is a "day number": whole days since 1970-01-01 on the Shanghai calendar. China has kept
// UTC+8 without daylight saving since 1991, so a fixed offset is exact for every date we serve.
// The default week is Mon–Fri; the calendar_days rows override it (holidays, make-up workdays).

export const calendarDayKinds = ['holiday', 'workday'] as const;
export type CalendarDayKind = (typeof calendarDayKinds)[number];

export interface CalendarDayEntry {
  /** YYYY-MM-DD on the Shanghai calendar. */
  date: string;
  kind: CalendarDayKind;
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** Beyond this a caller has a bug, not a deadline (a century of working days). */
const MAX_WORKING_DAYS = 36_500;
/** Mon–Fri days among the first r days of a week that starts on day 0 (a Thursday). */
const WEEKDAYS_BEFORE = [0, 1, 2, 2, 2, 3, 4] as const;
const NONE = 0;
const HOLIDAY = 1;
const WORKDAY = 2;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** The Shanghai calendar day of an instant. */
export function shanghaiDay(instant: Date): number {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError('Invalid date.');
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The year of an instant on the Shanghai calendar. */
export function shanghaiYear(instant: Date): number {
  return new Date(shanghaiDay(instant) * DAY_MS).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: number): boolean {
  const w = dayOfWeek(day);
  return w === 0 || w === 6;
}

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** The day number of a `YYYY-MM-DD` date, or null when it is not a real date. */
export function parseCalendarDate(s: string): number | null {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  // Date.UTC reads years below 100 as 19xx; no calendar of ours goes back that far.
  if (y < 1000 || m < 1 || m > 12 || d < 1) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[m - 1]! + (m === 2 && leap ? 1 : 0)) return null;
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** `YYYY-MM-DD` of a day number. */
export function formatCalendarDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Mon–Fri days d with 0 ≤ d < x (negative for x < 0), so that differences count any range. */
function weekdaysBefore(x: number): number {
  const weeks = Math.floor(x / 7);
  return weeks * 5 + WEEKDAYS_BEFORE[(x - weeks * 7) as 0 | 1 | 2 | 3 | 4 | 5 | 6];
}

export class WorkCalendar {
  /** Day number of status[0]. */
  private readonly first: number;
  /** Per day from `first`: NONE (plain week rules), HOLIDAY or WORKDAY. */
  private readonly status: Uint8Array;
  /** Days whose override changes the plain week (holiday on Mon–Fri, workday on Sat/Sun), ascending. */
  private readonly changedDays: Int32Array;
  /** Sum of the changes (−1 holiday, +1 workday) up to and including changedDays[i]. */
  private readonly changedSum: Int32Array;

  /** Throws on a malformed entry: the calendar must never silently drop a holiday. */
  constructor(days: Iterable<CalendarDayEntry> = []) {
    const parsed: [number, number][] = [];
    for (const entry of days) {
      const day = parseCalendarDate(entry.date);
      if (day === null) throw new RangeError(`Calendar day ${entry.date} is not a date.`);
      if (entry.kind !== 'holiday' && entry.kind !== 'workday') throw new RangeError(`Calendar day ${entry.date} has kind ${String(entry.kind)}.`);
      parsed.push([day, entry.kind === 'holiday' ? HOLIDAY : WORKDAY]);
    }
    parsed.sort((a, b) => a[0] - b[0]);
    this.first = parsed[0]?.[0] ?? 0;
    const last = parsed.at(-1)?.[0] ?? -1;
    this.status = new Uint8Array(Math.max(0, last - this.first + 1));
    for (const [day, status] of parsed) this.status[day - this.first] = status;
    const changed = parsed.filter(([day, status]) => (status === HOLIDAY) !== isWeekend(day));
    this.changedDays = Int32Array.from(changed, ([day]) => day);
    this.changedSum = new Int32Array(changed.length);
    let sum = 0;
    changed.forEach(([, status], i) => {
      sum += status === HOLIDAY ? -1 : 1;
      this.changedSum[i] = sum;
    });
  }

  /** Whether the Shanghai calendar day of the instant (or the `YYYY-MM-DD` date) is a working day. */
  isWorkingDay(date: Date | string): boolean {
    return this.isWorkingDayNumber(typeof date === 'string' ? toDayNumber(date) : shanghaiDay(date));
  }

  isWorkingDayNumber(day: number): boolean {
    const i = day - this.first;
    const status = i >= 0 && i < this.status.length ? this.status[i]! : NONE;
    return status === NONE ? !isWeekend(day) : status === WORKDAY;
  }

  /**
   * The same Shanghai clock time on the Nth working day after `from`'s day (Fri 15:00 + 1 =
   * Mon 15:00). From a day off, the first working day after it counts as 1. Negative N counts back
   * to the Nth working day before; 0 returns `from` unchanged.
   */
  addWorkingDays(from: Date, days: number): Date {
    const start = shanghaiDay(from);
    if (!Number.isInteger(days) || Math.abs(days) > MAX_WORKING_DAYS) throw new RangeError(`Working days must be a whole number up to ${MAX_WORKING_DAYS}, not ${days}.`);
    const step = days < 0 ? -1 : 1;
    let day = start;
    for (let left = Math.abs(days); left > 0; ) {
      day += step;
      if (this.isWorkingDayNumber(day)) left--;
    }
    return new Date(from.getTime() + (day - start) * DAY_MS);
  }

  /**
   * Working days after `a`'s Shanghai day up to and including `b`'s (negative when b is
   * earlier), so that workingDaysBetween(t, addWorkingDays(t, n)) === n for n ≥ 0. The clock
   * time is ignored: an appeal due Monday 15:00 and handled Monday 18:00 is 0 days late.
   */
  workingDaysBetween(a: Date, b: Date): number {
    return this.workingDaysBefore(shanghaiDay(b) + 1) - this.workingDaysBefore(shanghaiDay(a) + 1);
  }

  /** Working days d < x counted from day 0 (an antiderivative: only differences mean anything). */
  private workingDaysBefore(x: number): number {
    // Binary search: how many changed days lie before x.
    let lo = 0;
    let hi = this.changedDays.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.changedDays[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return weekdaysBefore(x) + (lo > 0 ? this.changedSum[lo - 1]! : 0);
  }
}

function toDayNumber(date: string): number {
  const day = parseCalendarDate(date);
  if (day === null) throw new RangeError(`${date} is not a YYYY-MM-DD date.`);
  return day;
}
