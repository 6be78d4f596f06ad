// The working-day calendar: loading it into memory for deadline arithmetic, seeding the shipped
// schedules, and the administrators' corrections.
//
// A year is in one of two states. Before it is seeded, the shipped file is its truth (so that
// deadlines respect the holidays even where nobody ran the seed). Once seeded — by seedCalendar,
// or implicitly by the first correction — calendar_days is its truth, and seeding never touches
// it again, so an administrator's deletion of a shipped day stays deleted.
import { systemContext, type CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { invalid, notFound } from '../../errors.ts';
import { VersionWatch } from '../../db/versions.ts';
import { recordEvent } from '../events/events.service.ts';
import { shippedCalendarYears } from './calendar-data.ts';
import { authorizeCalendarManage } from './calendar.policy.ts';
import {
  deleteCalendarDay,
  findCalendarDay,
  insertCalendarYear,
  insertMissingCalendarDays,
  listCalendarDays,
  readCalendarYear,
  readCalendarYears,
  updateCalendarYear,
  upsertCalendarDay,
  type CalendarDayRow,
  type CalendarYearState,
} from './calendar.repository.ts';
import { isWeekend, parseCalendarDate, WorkCalendar, type CalendarDayEntry, type CalendarDayKind } from './work-calendar.ts';

export { WorkCalendar } from './work-calendar.ts';

/** Years an administrator may edit; a guard against typos such as 2206. */
export const calendarYearRange = { min: 2000, max: 2099 } as const;
// ---- the in-memory calendar -------------------------------------------------------------

/**
 * A process trusts its calendar for 2 s, then one small query checks meta.calendar_version and
 * the calendar is rebuilt only when some process changed it. Changes made in this process are
 * seen at once (calendarChanged, after commit).
 */
const watch = new VersionWatch('calendar_version', 2000);
const calendarChanged = () => watch.changed();

const calendarOf = watch.cache(async (db: Db) => {
  const [rows, years] = await Promise.all([listCalendarDays(db), readCalendarYears(db)]);
  return new WorkCalendar(effectiveDays(rows, years));
});

/** The working-day calendar, cached per database in this process; `fresh` checks the counter now. */
export const loadCalendar = (db: Db, options: { fresh?: boolean } = {}): Promise<WorkCalendar> => calendarOf(db, { force: options.fresh });

/** Table rows, plus the shipped days of years not yet seeded (a row wins over a shipped day). */
function effectiveDays(rows: CalendarDayRow[], seeded: ReadonlyMap<number, unknown>): CalendarDayEntry[] {
  const days: CalendarDayEntry[] = rows.map((r) => ({ date: r.date, kind: r.kind as CalendarDayKind }));
  const taken = new Set(rows.map((r) => r.date));
  for (const [year, file] of shippedCalendarYears) {
    if (seeded.has(year)) continue;
    for (const d of file.days) if (!taken.has(d.date)) days.push(d);
  }
  return days;
}

// ---- seeding ----------------------------------------------------------------------------

/**
 * Copies each shipped year that was never seeded into calendar_days (missing dates only) and
 * marks it seeded. Idempotent and safe to call at every start; never reseeds a seeded year.
 */
export async function seedCalendar(db: Db, ctx: CallContext = systemContext()): Promise<{ years: number[]; days: number }> {
  const result = await db.transaction(async (tx) => {
    const states = await readCalendarYears(tx);
    const years: number[] = [];
    let days = 0;
    for (const year of shippedCalendarYears.keys()) {
      if (states.has(year)) continue;
      const seeded = await seedYear(tx, year, ctx.now);
      if (seeded === null) continue;
      years.push(year);
      days += seeded;
    }
    if (years.length > 0) {
      await watch.bump(tx);
      await recordEvent(tx, ctx, { action: 'calendar.seeded', subjectType: 'calendar', data: { years, days } });
    }
    return { years, days };
  });
  if (result.years.length > 0) calendarChanged();
  return result;
}

/** Seeds one year (shipped days, if any, and its state); null when it was already seeded. */
async function seedYear(tx: Executor, year: number, now: Date): Promise<number | null> {
  const file = shippedCalendarYears.get(year);
  const state: CalendarYearState = { seededAt: now.toISOString(), provisional: file?.provisional ?? true };
  if (!(await insertCalendarYear(tx, year, state))) return null;
  const values = (file?.days ?? []).map((d) => ({ date: d.date, kind: d.kind, nameZh: d.nameZh, nameEn: d.nameEn, updatedAt: now }));
  return insertMissingCalendarDays(tx, values);
}

// ---- reading a year ---------------------------------------------------------------------

export interface CalendarDayView {
  date: string;
  kind: CalendarDayKind;
  nameZh: string;
  nameEn: string | null;
  /** Null for a shipped day of a year not yet seeded. */
  updatedAt: string | null;
}

export interface CalendarYearView {
  year: number;
  source: string | null;
  provisional: boolean;
  note: string | null;
  days: CalendarDayView[];
}

export async function getCalendarYear(db: Executor, year: number): Promise<CalendarYearView> {
  const [rows, state] = await Promise.all([listCalendarDays(db, { from: `${year}-01-01`, to: `${year}-12-31` }), readCalendarYear(db, year)]);
  const file = shippedCalendarYears.get(year);
  const days: CalendarDayView[] = rows.map(presentCalendarDay);
  if (!state && file) {
    const taken = new Set(rows.map((r) => r.date));
    for (const d of file.days) if (!taken.has(d.date)) days.push({ ...d, updatedAt: null });
    days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }
  const provisional = state?.provisional ?? file?.provisional ?? true;
  const note = !provisional
    ? null
    : (file?.note ??
      `${year}年节假日安排尚未确认：除下列日期外按周一至周五上班计算。No confirmed holiday schedule for ${year}: apart from the days listed, Monday to Friday count as working days until an administrator enters and confirms the State Council schedule.`);
  return { year, source: file?.source ?? null, provisional, note, days };
}

export function presentCalendarDay(row: CalendarDayRow): CalendarDayView {
  return { date: row.date, kind: row.kind as CalendarDayKind, nameZh: row.nameZh, nameEn: row.nameEn, updatedAt: row.updatedAt.toISOString() };
}

// ---- corrections by administrators ------------------------------------------------------

/** Validates a `YYYY-MM-DD` date within the editable years; returns its day number and year. */
function checkedDate(date: string): { day: number; year: number } {
  const day = parseCalendarDate(date);
  if (day === null) throw invalid('/date', `${date} is not a date; write YYYY-MM-DD.`);
  const year = Number(date.slice(0, 4));
  if (year < calendarYearRange.min || year > calendarYearRange.max) {
    throw invalid('/date', `The calendar covers ${calendarYearRange.min} to ${calendarYearRange.max}.`);
  }
  return { day, year };
}

async function ensureYearSeeded(tx: Executor, year: number, now: Date): Promise<void> {
  if (!(await readCalendarYear(tx, year))) await seedYear(tx, year, now);
}

export interface SetCalendarDayInput {
  date: string;
  kind: CalendarDayKind;
  nameZh: string;
  nameEn?: string | null | undefined;
}

/** Sets or replaces one day: a holiday, or a make-up working day on a weekend. */
export async function setCalendarDay(db: Db, ctx: CallContext, input: SetCalendarDayInput): Promise<CalendarDayRow> {
  const grant = authorizeCalendarManage(ctx.actor);
  const { day, year } = checkedDate(input.date);
  if (input.kind === 'workday' && !isWeekend(day)) {
    throw invalid('/kind', `${input.date} is a weekday and so already a working day; a make-up working day (workday) falls on a Saturday or Sunday.`);
  }
  const row = await db.transaction(async (tx) => {
    await ensureYearSeeded(tx, year, ctx.now);
    const before = await findCalendarDay(tx, input.date);
    const saved = await upsertCalendarDay(tx, { date: input.date, kind: input.kind, nameZh: input.nameZh, nameEn: input.nameEn ?? null, updatedAt: ctx.now });
    await watch.bump(tx);
    await recordEvent(tx, ctx, {
      action: 'calendar.day_set',
      subjectType: 'calendar_day',
      subjectId: input.date,
      actorRole: grant.role,
      fromState: before?.kind ?? null,
      toState: input.kind,
      data: { ...input, before: before ? { kind: before.kind, nameZh: before.nameZh, nameEn: before.nameEn } : null },
    });
    return saved;
  });
  calendarChanged();
  return row;
}

/** Removes one day, so it follows the plain Mon–Fri week again. */
export async function removeCalendarDay(db: Db, ctx: CallContext, date: string): Promise<void> {
  const grant = authorizeCalendarManage(ctx.actor);
  const { year } = checkedDate(date);
  await db.transaction(async (tx) => {
    await ensureYearSeeded(tx, year, ctx.now);
    const before = await findCalendarDay(tx, date);
    if (!before || !(await deleteCalendarDay(tx, date))) throw notFound(`Calendar day ${date}`);
    await watch.bump(tx);
    await recordEvent(tx, ctx, {
      action: 'calendar.day_deleted',
      subjectType: 'calendar_day',
      subjectId: date,
      actorRole: grant.role,
      fromState: before.kind,
      data: { date, before: { kind: before.kind, nameZh: before.nameZh, nameEn: before.nameEn } },
    });
  });
  calendarChanged();
}

/** Marks a year confirmed against the State Council notice (provisional: false), or provisional again. */
export async function setCalendarYearProvisional(db: Db, ctx: CallContext, year: number, provisional: boolean): Promise<CalendarYearView> {
  const grant = authorizeCalendarManage(ctx.actor);
  if (!Number.isInteger(year) || year < calendarYearRange.min || year > calendarYearRange.max) {
    throw invalid('/year', `The calendar covers ${calendarYearRange.min} to ${calendarYearRange.max}.`);
  }
  const view = await db.transaction(async (tx) => {
    await ensureYearSeeded(tx, year, ctx.now);
    const state = (await readCalendarYear(tx, year))!;
    if (state.provisional !== provisional) {
      await updateCalendarYear(tx, year, { ...state, provisional, reviewedAt: ctx.now.toISOString(), reviewedBy: ctx.actor?.accountId ?? null });
      await watch.bump(tx);
      await recordEvent(tx, ctx, {
        action: provisional ? 'calendar.year_reopened' : 'calendar.year_confirmed',
        subjectType: 'calendar_year',
        subjectId: String(year),
        actorRole: grant.role,
        fromState: state.provisional ? 'provisional' : 'confirmed',
        toState: provisional ? 'provisional' : 'confirmed',
        data: { year, provisional },
      });
    }
    return getCalendarYear(tx, year);
  });
  calendarChanged();
  return view;
}
