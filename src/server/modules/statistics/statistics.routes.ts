// HTTP for statistics: dashboards of leaders, dispatchers and administrators within their scope.
// Every handler passes the query to one service function, which authorises the territory.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../lib/schemas.ts';
import {
  CategoriesQuery,
  CategoriesView,
  ChannelsQuery,
  ChannelsView,
  ChildrenQuery,
  ChildrenView,
  KpiQuery,
  KpiView,
  TrendQuery,
  TrendView,
  UnitsQuery,
  UnitsView,
} from './statistics.schema.ts';
import { getCategoryRanking, getChannelMix, getChildren, getKpi, getTrend, getUnitRanking } from './statistics.service.ts';

export const statisticsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  const tags = ['statistics'];
  const failures = errors(400, 401, 403, 404);

  app.get(
    '/kpi',
    { schema: { tags, summary: 'Totals and rates of a territory over a period', querystring: KpiQuery, response: { 200: KpiView, ...failures } } },
    async (request) => getKpi({ db, ctx: request.ctx(), ...request.query }),
  );

  app.get(
    '/trend',
    { schema: { tags, summary: 'Per-day series of metrics', querystring: TrendQuery, response: { 200: TrendView, ...failures } } },
    async (request) => getTrend({ db, ctx: request.ctx(), ...request.query }),
  );

  app.get(
    '/categories',
    { schema: { tags, summary: 'Category ranking', querystring: CategoriesQuery, response: { 200: CategoriesView, ...failures } } },
    async (request) => getCategoryRanking({ db, ctx: request.ctx(), ...request.query }),
  );

  app.get(
    '/channels',
    { schema: { tags, summary: 'Channel mix', querystring: ChannelsQuery, response: { 200: ChannelsView, ...failures } } },
    async (request) => getChannelMix({ db, ctx: request.ctx(), ...request.query }),
  );

  app.get(
    '/units',
    { schema: { tags, summary: 'Ranking of the handling units within a territory', querystring: UnitsQuery, response: { 200: UnitsView, ...failures } } },
    async (request) => getUnitRanking({ db, ctx: request.ctx(), ...request.query }),
  );

  app.get(
    '/children',
    { schema: { tags, summary: 'Volume and rates of each child territory', querystring: ChildrenQuery, response: { 200: ChildrenView, ...failures } } },
    async (request) => getChildren({ db, ctx: request.ctx(), ...request.query }),
  );
};
