// The holiday schedules the product ships (src/server/data/calendar/cn-<year>.json). They are
// seed data: seedCalendar copies a year into calendar_days once, and from then on the table,
// which administrators correct, is the truth for that year.
import cn2026 from '../../data/calendar/cn-2026.json' with { type: 'json' };
import cn2027 from '../../data/calendar/cn-2027.json' with { type: 'json' };
import type { CalendarDayKind } from './work-calendar.ts';

export interface ShippedCalendarDay {
  date: string;
  kind: CalendarDayKind;
  nameZh: string;
  nameEn: string;
}

export interface ShippedCalendarYear {
  year: number;
  /** Where the schedule comes from (the State Council notice), or how it was derived. */
  source: string;
  /** True when no official notice was available: administrators must correct the year. */
  provisional: boolean;
  note?: string;
  days: ShippedCalendarDay[];
}

export const shippedCalendarYears: ReadonlyMap<number, ShippedCalendarYear> = new Map(
  ([cn2026, cn2027] as ShippedCalendarYear[]).map((file) => [file.year, file]),
);
