import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, like } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, smallCity } from '../../../../test/helpers/factories.ts';
import type { Db } from '../../db/client.ts';
import * as schema from '../../db/schema.ts';
import { calendarDays, events, meta } from '../../db/schema.ts';
import { shippedCalendarYears } from './calendar-data.ts';
import { loadCalendar, seedCalendar } from './calendar.service.ts';
import { formatCalendarDate, isWeekend, parseCalendarDate, WorkCalendar } from './work-calendar.ts';

/** An instant given as Shanghai wall-clock time. */
const sh = (local: string) => new Date(`${local}+08:00`);
const iso = (d: Date) => d.toISOString();
const shipped = new WorkCalendar([...shippedCalendarYears.values()].flatMap((y) => y.days));

describe('WorkCalendar (pure)', () => {
  it('adds working days across an ordinary weekend, keeping the clock time', () => {
    assert.equal(iso(shipped.addWorkingDays(sh('2026-03-13T15:00:00'), 1)), iso(sh('2026-03-16T15:00:00')), 'Fri 15:00 + 1 = Mon 15:00');
    assert.equal(iso(shipped.addWorkingDays(sh('2026-03-13T15:00:00'), 5)), iso(sh('2026-03-20T15:00:00')));
    assert.equal(iso(shipped.addWorkingDays(sh('2026-03-14T09:30:00'), 1)), iso(sh('2026-03-16T09:30:00')), 'from a Saturday, Monday is the first');
    assert.equal(iso(shipped.addWorkingDays(sh('2026-03-16T15:00:00'), 0)), iso(sh('2026-03-16T15:00:00')));
    assert.equal(iso(shipped.addWorkingDays(sh('2026-03-16T15:00:00'), -1)), iso(sh('2026-03-13T15:00:00')), 'Mon − 1 = Fri');
  });

  it('crosses 春节 2026 with its make-up Saturdays', () => {
    const friday = sh('2026-02-13T10:00:00');
    assert.equal(iso(shipped.addWorkingDays(friday, 1)), iso(sh('2026-02-14T10:00:00')), 'Sat Feb 14 is a make-up working day');
    assert.equal(iso(shipped.addWorkingDays(friday, 2)), iso(sh('2026-02-24T10:00:00')), 'Feb 15–23 are off');
    assert.equal(iso(shipped.addWorkingDays(sh('2026-02-27T10:00:00'), 1)), iso(sh('2026-02-28T10:00:00')), 'Sat Feb 28 is worked too');
    assert.equal(shipped.workingDaysBetween(friday, sh('2026-02-24T08:00:00')), 2);
  });

  it('crosses 中秋 and 国庆 2026, with the make-up Sunday Sep 20 and Saturday Oct 10', () => {
    assert.equal(iso(shipped.addWorkingDays(sh('2026-09-18T16:00:00'), 1)), iso(sh('2026-09-20T16:00:00')), 'Fri Sep 18 + 1 = Sun Sep 20');
    assert.equal(iso(shipped.addWorkingDays(sh('2026-09-24T16:00:00'), 1)), iso(sh('2026-09-28T16:00:00')), '中秋 Sep 25–27 off');
    assert.equal(iso(shipped.addWorkingDays(sh('2026-09-30T09:00:00'), 1)), iso(sh('2026-10-08T09:00:00')), '国庆 Oct 1–7 off');
    assert.equal(iso(shipped.addWorkingDays(sh('2026-09-30T09:00:00'), 3)), iso(sh('2026-10-10T09:00:00')), 'Sat Oct 10 is worked');
  });

  it('judges days in Asia/Shanghai, not UTC', () => {
    // 2026-10-07T17:00Z is already Thu Oct 8 01:00 in Shanghai: a working day, though Oct 7 is a holiday.
    assert.equal(shipped.isWorkingDay(new Date('2026-10-07T17:00:00Z')), true);
    assert.equal(shipped.isWorkingDay(new Date('2026-10-07T15:59:59Z')), false);
    // 2026-10-08T17:00Z is Fri Oct 9 01:00: +1 → Sat Oct 10 (make-up), +2 → Mon Oct 12, same clock time.
    const lateEvening = new Date('2026-10-08T17:00:00Z');
    assert.equal(iso(shipped.addWorkingDays(lateEvening, 1)), '2026-10-09T17:00:00.000Z');
    assert.equal(iso(shipped.addWorkingDays(lateEvening, 2)), '2026-10-11T17:00:00.000Z');
  });

  it('knows make-up weekend days and weekday holidays', () => {
    assert.equal(shipped.isWorkingDay('2026-09-20'), true, 'make-up Sunday');
    assert.equal(shipped.isWorkingDay('2026-01-04'), true, 'make-up Sunday after 元旦');
    assert.equal(shipped.isWorkingDay('2026-09-27'), false, 'a Sunday inside 中秋');
    assert.equal(shipped.isWorkingDay('2026-10-01'), false, 'National Day, a Thursday');
    assert.equal(shipped.isWorkingDay('2026-10-08'), true);
    assert.equal(shipped.isWorkingDay('2026-03-14'), false, 'an ordinary Saturday');
    assert.equal(shipped.isWorkingDay(sh('2026-09-20T23:59:59')), true);
  });

  it('falls back to Monday–Friday outside the shipped years', () => {
    assert.equal(shipped.isWorkingDay('2025-10-01'), true, '2025 is not shipped');
    assert.equal(shipped.isWorkingDay('2030-01-05'), false, 'a Saturday');
    assert.equal(iso(shipped.addWorkingDays(sh('2030-01-04T12:00:00'), 1)), iso(sh('2030-01-07T12:00:00')));
    assert.equal(shipped.workingDaysBetween(sh('2029-12-31T00:00:00'), sh('2030-12-31T00:00:00')), 261);
    const empty = new WorkCalendar();
    assert.equal(empty.isWorkingDay('2026-10-01'), true);
    assert.equal(empty.workingDaysBetween(sh('2026-03-13T10:00:00'), sh('2026-03-16T10:00:00')), 1);
  });

  it('counts working days between instants as the inverse of addWorkingDays', () => {
    const start = parseCalendarDate('2025-12-20')!;
    for (let d = start; d < start + 400; d++) {
      const from = sh(`${formatCalendarDate(d)}T11:00:00`);
      for (const n of [0, 1, 2, 3, 5, 10, 15, 30]) {
        const due = shipped.addWorkingDays(from, n);
        assert.equal(shipped.workingDaysBetween(from, due), n, `${formatCalendarDate(d)} + ${n}`);
        assert.equal(shipped.workingDaysBetween(due, from), 0 - n);
      }
      // Against a plain count of the days (from, from + 40].
      let count = 0;
      for (let k = 1; k <= 40; k++) if (shipped.isWorkingDay(formatCalendarDate(d + k))) count++;
      assert.equal(shipped.workingDaysBetween(from, sh(`${formatCalendarDate(d + 40)}T02:00:00`)), count);
    }
    // 2026: 365 days, 104 weekend days, 6 make-up days, holidays on weekdays 2+6+1+3+1+1+5 = 19: 248 working days.
    assert.equal(shipped.workingDaysBetween(sh('2025-12-31T12:00:00'), sh('2026-12-31T12:00:00')), 365 - 104 + 6 - 19);
  });

  it('refuses nonsense instead of guessing', () => {
    assert.throws(() => shipped.addWorkingDays(sh('2026-03-13T15:00:00'), 1.5), RangeError);
    assert.throws(() => shipped.addWorkingDays(new Date('nope'), 1), RangeError);
    assert.throws(() => shipped.isWorkingDay('2026-02-30'), RangeError);
    assert.throws(() => new WorkCalendar([{ date: '2026-13-01', kind: 'holiday' }]), RangeError);
    assert.equal(parseCalendarDate('2028-02-29'), parseCalendarDate('2028-03-01')! - 1);
    assert.equal(parseCalendarDate('2027-02-29'), null);
    assert.equal(parseCalendarDate('2026-1-01'), null);
  });

  it('ships consistent schedules: dates inside the year, make-up days on weekends, 2027 provisional', () => {
    for (const [year, file] of shippedCalendarYears) {
      assert.equal(file.year, year);
      const dates = file.days.map((d) => d.date);
      assert.deepEqual([...dates].sort(), dates, 'sorted');
      assert.equal(new Set(dates).size, dates.length, 'no date twice');
      for (const d of file.days) {
        assert.ok(d.date.startsWith(`${year}-`), d.date);
        assert.notEqual(parseCalendarDate(d.date), null, d.date);
        if (d.kind === 'workday') assert.ok(isWeekend(parseCalendarDate(d.date)!), `${d.date} make-up day on a weekend`);
        assert.ok(d.nameZh && d.nameEn);
      }
    }
    assert.equal(shippedCalendarYears.get(2026)!.provisional, false);
    assert.equal(shippedCalendarYears.get(2027)!.provisional, true);
    assert.match(shippedCalendarYears.get(2027)!.note ?? '', /administrators must correct/);
  });
});

describe('calendar API', () => {
  let t: TestContext;
  const cookies: Record<string, string> = {};
  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    await account(t.db, { username: 'cityadmin', role: 'admin', territoryCode: '440300' });
    await account(t.db, { username: 'd1admin', role: 'admin', territoryCode: 'D1' });
    await account(t.db, { username: 'c1worker', role: 'community_worker', territoryCode: 'D1S1C1' });
    await account(t.db, { username: 'resident1', role: 'resident', territoryCode: '440300' });
    for (const u of ['cityadmin', 'd1admin', 'c1worker', 'resident1']) cookies[u] = await login(t.app, u);
  });
  after(() => t.close());

  const put = (who: string | null, date: string, payload: object) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/calendar/days/${date}`, headers: who ? { cookie: cookies[who]! } : {}, payload });
  const del = (who: string, date: string) => t.app.inject({ method: 'DELETE', url: `/api/v1/calendar/days/${date}`, headers: { cookie: cookies[who]! } });
  const get = (who: string | null, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/calendar${query}`, headers: who ? { cookie: cookies[who]! } : {} });

  it('follows the shipped schedule before seeding, and seeds each year once', async () => {
    // Installations seed the calendar at start (seedReferenceData); undo that to see a new one.
    await t.db.delete(calendarDays);
    await t.db.delete(meta).where(like(meta.key, 'calendar_year:%'));
    const unseeded = await loadCalendar(t.db, { fresh: true });
    assert.equal(unseeded.isWorkingDay('2026-02-14'), true);
    assert.equal(unseeded.isWorkingDay('2026-02-16'), false);
    const first = await seedCalendar(t.db);
    assert.deepEqual(first.years, [2026, 2027]);
    const shippedCount = [...shippedCalendarYears.values()].reduce((n, y) => n + y.days.length, 0);
    assert.equal(first.days, shippedCount);
    assert.deepEqual(await seedCalendar(t.db), { years: [], days: 0 });
    assert.equal((await t.db.select().from(calendarDays)).length, shippedCount);
    assert.equal((await loadCalendar(t.db)).isWorkingDay('2026-02-16'), false);
  });

  it('lists a year with its provisional flag to staff only', async () => {
    const y2026 = await get('c1worker', '?year=2026');
    assert.equal(y2026.statusCode, 200, y2026.body);
    assert.equal(y2026.json().provisional, false);
    assert.match(y2026.json().source, /2026/);
    assert.deepEqual(
      y2026.json().days.find((d: { date: string }) => d.date === '2026-09-20'),
      { date: '2026-09-20', kind: 'workday', nameZh: '国庆节调休上班', nameEn: 'National Day make-up working day', updatedAt: y2026.json().days[0].updatedAt },
    );
    const y2027 = await get('cityadmin', '?year=2027');
    assert.equal(y2027.json().provisional, true);
    assert.match(y2027.json().note, /State Council/);
    const current = await get('cityadmin');
    assert.equal(current.json().year, 2026, 'defaults to this year in Shanghai (the test clock says 2026-11-23)');
    assert.equal((await get('resident1', '?year=2026')).statusCode, 403);
    assert.equal((await get(null, '?year=2026')).statusCode, 401);
  });

  it('applies an administrator’s correction to a freshly loaded calendar, in this and other processes', async () => {
    // A second Db object over the same connection stands in for another app process: its cache is separate.
    const client = (t.db as unknown as { $client: never }).$client;
    const other: Db =
      t.database.engine === 'pglite'
        ? ((await import('drizzle-orm/pglite')).drizzle(client, { schema }) as unknown as Db)
        : ((await import('drizzle-orm/node-postgres')).drizzle(client, { schema }) as unknown as Db);
    assert.equal((await loadCalendar(other)).isWorkingDay('2026-12-01'), true);
    assert.equal((await loadCalendar(t.db)).isWorkingDay('2026-12-01'), true);

    const res = await put('cityadmin', '2026-12-01', { kind: 'holiday', nameZh: '测试假日', nameEn: 'Test holiday' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().kind, 'holiday');
    const mine = await loadCalendar(t.db);
    assert.equal(mine.isWorkingDay('2026-12-01'), false, 'seen at once in the process that changed it');
    assert.equal(iso(mine.addWorkingDays(sh('2026-11-30T10:00:00'), 1)), iso(sh('2026-12-02T10:00:00')));
    assert.equal((await loadCalendar(other, { fresh: true })).isWorkingDay('2026-12-01'), false, 'another process sees the new version');

    const [event] = await t.db.select().from(events).where(and(eq(events.action, 'calendar.day_set'), eq(events.subjectId, '2026-12-01')));
    assert.ok(event?.actorId);
    assert.equal(event.toState, 'holiday');
    assert.equal(event.fromState, null);

    assert.equal((await del('cityadmin', '2026-12-01')).statusCode, 204);
    assert.equal((await loadCalendar(t.db)).isWorkingDay('2026-12-01'), true);
    assert.equal((await del('cityadmin', '2026-12-01')).statusCode, 404);
    const deleted = await t.db.select().from(events).where(eq(events.action, 'calendar.day_deleted'));
    assert.equal(deleted.length, 1);
    assert.equal(deleted[0]!.fromState, 'holiday');
  });

  it('refuses changes from anyone but a city-wide administrator', async () => {
    const body = { kind: 'holiday', nameZh: '假日' };
    for (const who of ['c1worker', 'd1admin', 'resident1']) {
      const res = await put(who, '2026-12-02', body);
      assert.equal(res.statusCode, 403, who);
      assert.equal(res.json().error.code, 'forbidden');
    }
    assert.equal((await put(null, '2026-12-02', body)).statusCode, 401);
    assert.equal((await del('d1admin', '2026-10-01')).statusCode, 403);
    assert.equal((await t.db.select().from(calendarDays).where(eq(calendarDays.date, '2026-12-02'))).length, 0);
  });

  it('answers a bad date with 400 naming the field', async () => {
    for (const date of ['2026-02-30', 'tomorrow', '2026-1-5', '1999-12-31']) {
      const res = await put('cityadmin', date, { kind: 'holiday', nameZh: '假日' });
      assert.equal(res.statusCode, 400, date);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.equal(res.json().error.details[0].field, '/date', date);
    }
    const weekday = await put('cityadmin', '2026-12-02', { kind: 'workday', nameZh: '调休' });
    assert.equal(weekday.statusCode, 400);
    assert.equal(weekday.json().error.details[0].field, '/kind');
    assert.equal((await put('cityadmin', '2026-12-05', { kind: 'day-off', nameZh: '假日' })).statusCode, 400);
    assert.equal((await del('cityadmin', '2026-13-01')).statusCode, 400);
    assert.equal((await get('cityadmin', '?year=twenty')).statusCode, 400);
  });

  it('keeps an administrator’s deletion of a shipped day through a reseed, and confirms a provisional year', async () => {
    assert.equal((await del('cityadmin', '2027-02-20')).statusCode, 204);
    await seedCalendar(t.db);
    assert.equal((await t.db.select().from(calendarDays).where(eq(calendarDays.date, '2027-02-20'))).length, 0);
    assert.equal((await loadCalendar(t.db)).isWorkingDay('2027-02-20'), false);

    const confirm = await t.app.inject({ method: 'PUT', url: '/api/v1/calendar/years/2027', headers: { cookie: cookies.cityadmin! }, payload: { provisional: false } });
    assert.equal(confirm.statusCode, 200, confirm.body);
    assert.equal(confirm.json().provisional, false);
    assert.equal(confirm.json().note, null);
    assert.equal((await get('c1worker', '?year=2027')).json().provisional, false);
    assert.equal((await t.db.select().from(events).where(eq(events.action, 'calendar.year_confirmed'))).length, 1);
    const refused = await t.app.inject({ method: 'PUT', url: '/api/v1/calendar/years/2027', headers: { cookie: cookies.d1admin! }, payload: { provisional: true } });
    assert.equal(refused.statusCode, 403);
  });

  it('lets administrators fill in a year that was not shipped', async () => {
    assert.equal((await put('cityadmin', '2028-01-03', { kind: 'holiday', nameZh: '元旦', nameEn: "New Year's Day" })).statusCode, 200);
    const y2028 = await get('cityadmin', '?year=2028');
    assert.equal(y2028.json().provisional, true);
    assert.equal(y2028.json().source, null);
    assert.deepEqual(
      y2028.json().days.map((d: { date: string }) => d.date),
      ['2028-01-03'],
    );
    assert.equal((await loadCalendar(t.db)).isWorkingDay('2028-01-03'), false, 'a Monday off');
  });
});
