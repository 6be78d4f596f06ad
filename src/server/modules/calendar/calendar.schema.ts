import { Type } from 'typebox';
import { Nullable, Timestamp } from '../../lib/schemas.ts';
import { calendarDayKinds } from './work-calendar.ts';

const CalendarDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'A date on the Shanghai calendar, YYYY-MM-DD' });
const Year = Type.Integer({ minimum: 2000, maximum: 2099 });
const Name = Type.String({ minLength: 1, maxLength: 60 });
const Kind = Type.Enum(calendarDayKinds, { description: 'holiday: a day off; workday: a make-up working day (调休上班) on a Saturday or Sunday' });

export const CalendarDayView = Type.Object({
  date: Type.String(),
  kind: Kind,
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
  updatedAt: Nullable(Timestamp),
});

export const CalendarYearView = Type.Object({
  year: Type.Integer(),
  source: Nullable(Type.String({ description: 'The State Council notice the schedule follows, or how it was derived' })),
  provisional: Type.Boolean({ description: 'True until an administrator confirms the year against the official notice' }),
  note: Nullable(Type.String()),
  days: Type.Array(CalendarDayView, { description: 'Only the days that differ from Monday–Friday' }),
});

export const YearQuery = Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false });
export const DateParams = Type.Object({ date: CalendarDate });
export const YearParams = Type.Object({ year: Year });

export const DayBody = Type.Object({ kind: Kind, nameZh: Name, nameEn: Type.Optional(Nullable(Name)) }, { additionalProperties: false });
export const YearBody = Type.Object({ provisional: Type.Boolean() }, { additionalProperties: false });
