// HTTP for hotspots and the monthly topic candidates (每月一题): dashboards of leaders,
// dispatchers and administrators within their scope (statistics.read, like /statistics).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../lib/schemas.ts';
import { HotspotsQuery, HotspotsView, MonthlyTopicsQuery, MonthlyTopicsView } from './hotspots.schema.ts';
import { getHotspots, getMonthlyTopics } from './hotspots.service.ts';

export const hotspotRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  const tags = ['statistics'];
  const failures = errors(400, 401, 403, 404);

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Recurring problems: category × child territory over a month, quarter or week, with the trend against the period before',
        querystring: HotspotsQuery,
        response: { 200: HotspotsView, ...failures },
      },
    },
    async (request) => getHotspots({ db, ctx: request.ctx(), ...request.query }),
  );

  app.get(
    '/monthly-topics',
    {
      schema: {
        tags,
        summary: '每月一题: the month’s candidate problems ranked by volume, growth, reopen rate and dissatisfaction (see `scoring`)',
        querystring: MonthlyTopicsQuery,
        response: { 200: MonthlyTopicsView, ...failures },
      },
    },
    async (request) => getMonthlyTopics({ db, ctx: request.ctx(), ...request.query }),
  );
};
