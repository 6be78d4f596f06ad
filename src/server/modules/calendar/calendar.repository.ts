// All SQL of the working-day calendar: the calendar_days rows, and two kinds of `meta` entries —
// `calendar_version` (bumped by every change so each process reloads its in-memory calendar) and
// `calendar_year:<year>` (a year's state: seeded from the shipped file, provisional or confirmed).
import { and, asc, eq, gte, like, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { escapeLike } from '../../db/scope.ts';
import { calendarDays, meta } from '../../db/schema.ts';

export type CalendarDayRow = typeof calendarDays.$inferSelect;
export type CalendarDayInsert = typeof calendarDays.$inferInsert;

const yearKeyPrefix = 'calendar_year:';

export interface CalendarYearState {
  /** When the shipped days of this year were copied into calendar_days (or an admin first edited it). */
  seededAt: string;
  provisional: boolean;
  /** Set when an administrator changes the provisional flag. */
  reviewedAt?: string;
  reviewedBy?: string | null;
}

export async function listCalendarDays(db: Executor, range?: { from: string; to: string }): Promise<CalendarDayRow[]> {
  return db
    .select()
    .from(calendarDays)
    .where(range ? and(gte(calendarDays.date, range.from), lte(calendarDays.date, range.to)) : undefined)
    .orderBy(asc(calendarDays.date));
}

export async function findCalendarDay(db: Executor, date: string): Promise<CalendarDayRow | undefined> {
  const [row] = await db.select().from(calendarDays).where(eq(calendarDays.date, date));
  return row;
}

export async function upsertCalendarDay(db: Executor, values: CalendarDayInsert): Promise<CalendarDayRow> {
  const [row] = await db
    .insert(calendarDays)
    .values(values)
    .onConflictDoUpdate({ target: calendarDays.date, set: { kind: values.kind, nameZh: values.nameZh, nameEn: values.nameEn ?? null, updatedAt: values.updatedAt ?? sql`now()` } })
    .returning();
  return row!;
}

export async function deleteCalendarDay(db: Executor, date: string): Promise<boolean> {
  const rows = await db.delete(calendarDays).where(eq(calendarDays.date, date)).returning({ date: calendarDays.date });
  return rows.length > 0;
}

/** Inserts the days whose date has no row yet; returns how many were inserted. */
export async function insertMissingCalendarDays(db: Executor, values: CalendarDayInsert[]): Promise<number> {
  if (values.length === 0) return 0;
  const rows = await db.insert(calendarDays).values(values).onConflictDoNothing({ target: calendarDays.date }).returning({ date: calendarDays.date });
  return rows.length;
}


export async function readCalendarYears(db: Executor): Promise<Map<number, CalendarYearState>> {
  const rows = await db
    .select({ key: meta.key, value: meta.value })
    .from(meta)
    .where(like(meta.key, `${escapeLike(yearKeyPrefix)}%`));
  return new Map(rows.map((r) => [Number(r.key.slice(yearKeyPrefix.length)), r.value as CalendarYearState]));
}

export async function readCalendarYear(db: Executor, year: number): Promise<CalendarYearState | undefined> {
  const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, `${yearKeyPrefix}${year}`));
  return row?.value as CalendarYearState | undefined;
}

/** Records a year's first state; returns false when another seeder was first. */
export async function insertCalendarYear(db: Executor, year: number, state: CalendarYearState): Promise<boolean> {
  const rows = await db
    .insert(meta)
    .values({ key: `${yearKeyPrefix}${year}`, value: state, updatedAt: new Date(state.seededAt) })
    .onConflictDoNothing({ target: meta.key })
    .returning({ key: meta.key });
  return rows.length > 0;
}

export async function updateCalendarYear(db: Executor, year: number, state: CalendarYearState): Promise<void> {
  await db
    .update(meta)
    .set({ value: state, updatedAt: sql`now()` })
    .where(eq(meta.key, `${yearKeyPrefix}${year}`));
}
