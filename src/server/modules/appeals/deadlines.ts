// 时限: sign-by, reply-by and resolve-by from category and urgency on the working-day calendar.
//   urgent: sign within 30 minutes, resolve within 24 hours (calendar time: danger has no weekend)
//   normal: sign within 1 working day, resolve within the category's resolveDays working days
// The handler's reply reports the resolution, so reply-by is the resolve-by deadline; the
// resident's rating window (7 days) comes after it and does not count against the unit.
import type { WorkCalendar } from '../calendar/work-calendar.ts';
import type { Category } from './catalogue.ts';
import type { Urgency } from './appeal-rules.ts';

export interface Deadlines {
  signDueAt: Date;
  replyDueAt: Date;
  resolveDueAt: Date;
}

/** Used when the case has no category yet (it waits for a dispatcher). */
export const defaultResolveDays = 5;
/** Share of the time after which the sweep warns. */
export const warningShare = 0.8;

export function computeDeadlines(calendar: WorkCalendar, from: Date, urgency: Urgency, category: Category | undefined): Deadlines {
  if (urgency === 'urgent') {
    const resolve = new Date(from.getTime() + 24 * 3600_000);
    return { signDueAt: new Date(from.getTime() + 30 * 60_000), replyDueAt: resolve, resolveDueAt: resolve };
  }
  const resolve = calendar.addWorkingDays(from, category?.resolveDays ?? defaultResolveDays);
  return { signDueAt: calendar.addWorkingDays(from, 1), replyDueAt: resolve, resolveDueAt: resolve };
}

/** The instant at which `warningShare` of the time between start and due has passed. */
export function warningAt(start: Date, due: Date): Date {
  return new Date(start.getTime() + (due.getTime() - start.getTime()) * warningShare);
}
