// HTTP for the working-day calendar. Staff read it; city-wide administrators correct it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../../lib/schemas.ts';
import { requireActor } from '../../policy/index.ts';
import { authorizeCalendarRead } from './calendar.policy.ts';
import { CalendarDayView, CalendarYearView, DateParams, DayBody, YearBody, YearParams, YearQuery } from './calendar.schema.ts';
import { getCalendarYear, presentCalendarDay, removeCalendarDay, setCalendarDay, setCalendarYearProvisional } from './calendar.service.ts';
import { shanghaiYear } from './work-calendar.ts';

export const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  const tags = ['calendar'];

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Holidays and make-up working days of a year (default: this year in Asia/Shanghai)',
        querystring: YearQuery,
        response: { 200: CalendarYearView, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      authorizeCalendarRead(request.actor);
      const year = request.query.year ?? shanghaiYear(request.ctx().now);
      return getCalendarYear(db, year);
    },
  );

  app.put(
    '/days/:date',
    {
      schema: {
        tags,
        summary: 'Set or replace one day (city-wide administrators)',
        params: DateParams,
        body: DayBody,
        response: { 200: CalendarDayView, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const row = await setCalendarDay(db, request.ctx(), { date: request.params.date, ...request.body });
      return presentCalendarDay(row);
    },
  );

  app.delete(
    '/days/:date',
    {
      schema: {
        tags,
        summary: 'Remove one day, so that it follows Monday–Friday again (city-wide administrators)',
        params: DateParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireActor(request.actor);
      await removeCalendarDay(db, request.ctx(), request.params.date);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/years/:year',
    {
      schema: {
        tags,
        summary: 'Confirm a year against the State Council notice (provisional: false), or mark it provisional again',
        params: YearParams,
        body: YearBody,
        response: { 200: CalendarYearView, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      return setCalendarYearProvisional(db, request.ctx(), request.params.year, request.body.provisional);
    },
  );
};
