// 附近的诉求: a public, anonymous map of the open cases near a point, so that a resident sees a
// problem is already reported before reporting it again. Only what the public timeline shows by
// tracking code anyway, and less: code, category, status, a coarse position (~100 m), the
// community and the time reported. Never text, contact, name, address or photos; never a case
// whose reporter hid their identity or whose category is a person's own matter (see
// public-map.repository.ts). Rate-limited like every anonymous route (per address).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors, Timestamp } from '../../lib/schemas.ts';
import { loadCatalogue } from './catalogue.ts';
import { personalCategories } from './duplicates.ts';
import { findOpenCasesNear } from './public-map.repository.ts';
import { publicPlaceNames } from '../territories/territories.repository.ts';

/** The widest circle one request may ask for, and the most cases it returns. */
export const maxRadiusM = 3000;
export const maxNearby = 100;

export const NearbyQuery = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude of the centre (WGS84 degrees)' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude of the centre (WGS84 degrees)' }),
    radius: Type.Optional(Type.Integer({ minimum: 50, maximum: maxRadiusM, default: 1000, description: `Metres, at most ${maxRadiusM}` })),
    category: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'Only this category' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxNearby, default: 50, description: `Nearest first, at most ${maxNearby}` })),
  },
  { additionalProperties: false },
);

export const NearbyCase = Type.Object({
  code: Type.String({ description: 'Tracking code: GET /api/v1/appeals/track/{code} shows its public timeline' }),
  categoryCode: Type.String(),
  status: Type.String(),
  lon: Type.Number({ description: 'Rounded to 3 decimals (~100 m); never the exact pin' }),
  lat: Type.Number({ description: 'Rounded to 3 decimals (~100 m); never the exact pin' }),
  distanceM: Type.Integer({ description: 'From the centre to the rounded position, to 10 m' }),
  place: Type.String({ description: 'District, street and community; never the grid, building or address' }),
  createdAt: Timestamp,
});

export const NearbyResponse = Type.Object({
  center: Type.Object({ lon: Type.Number(), lat: Type.Number() }),
  radius: Type.Integer(),
  total: Type.Integer({ description: 'Open cases within the radius (items holds the nearest `limit` of them)' }),
  items: Type.Array(NearbyCase),
});

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const publicMapRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;

  app.get(
    '/nearby',
    {
      schema: {
        tags: ['appeals'],
        summary: 'Open cases near a point (anonymous): tracking code, category, status, coarse position, community, time',
        querystring: NearbyQuery,
        response: { 200: NearbyResponse, ...errors(400, 429) },
      },
    },
    async (request) => {
      const { lon, lat, radius = 1000, category, limit = 50 } = request.query;
      // Leaf categories that concern a shared place; a person's own matters (wage arrears,
      // neighbour disputes …) are never on the map, nor are unclassified cases.
      const catalogue = await loadCatalogue(db);
      const shown = [...catalogue.categories.values()].filter((c) => c.deptType && !personalCategories.includes(c.code)).map((c) => c.code);
      const categoryCodes = category ? shown.filter((c) => c === category) : shown;
      const rows = await findOpenCasesNear(db, { lon, lat, radiusM: radius, limit, categoryCodes });
      // The place is named down to the community (district street community), never the grid.
      const placeOf = await publicPlaceNames(db, rows.map((r) => r.territoryPath));
      return {
        center: { lon, lat },
        radius,
        total: rows[0]?.total ?? 0,
        items: rows.map((r) => ({
          code: r.code,
          categoryCode: r.categoryCode,
          status: r.status,
          lon: round3(Number(r.lon)),
          lat: round3(Number(r.lat)),
          distanceM: Math.round(Number(r.distanceM) / 10) * 10,
          place: placeOf(r.territoryPath, 1).join(' '),
          createdAt: new Date(r.createdAt).toISOString(),
        })),
      };
    },
  );
};
