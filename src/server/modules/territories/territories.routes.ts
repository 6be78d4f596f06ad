// HTTP for territories. Locating a point, the map layer and the tree outline are public; details
// (households, population) are for staff within their scope; import and edits for administrators.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { errors } from '../../lib/schemas.ts';
import { authorize, requireActor, scopesFor } from '../../policy/index.ts';
import type { TerritoryRow, TerritorySummaryRow } from './territories.repository.ts';
import {
  ChildrenQuery,
  CodeParams,
  ExportQuery,
  ImportBody,
  ImportResult,
  LocateQuery,
  LocateResponse,
  MapQuery,
  TerritoryDetailView,
  TerritoryFeatureCollection,
  TerritorySummaryView,
  UpdateBody,
  type TerritoryLevel,
} from './territories.schema.ts';
import { exportTerritories, getTerritory, importTerritories, listChildren, territoryMap, updateTerritory } from './territories.service.ts';
import type { TerritorySummary } from './territory-index.ts';
import { parentCodeOf } from './territories.repository.ts';
import { rejectFile } from './territory-import.ts';

/** A whole city's boundaries as GeoJSON run to tens of megabytes. */
const importBodyLimit = 50 * 1024 * 1024;

const centroidOf = (r: { centroidLon: number | null; centroidLat: number | null }) =>
  r.centroidLon === null || r.centroidLat === null ? null : { lon: r.centroidLon, lat: r.centroidLat };

function presentSummary(r: TerritorySummaryRow) {
  return { code: r.code, level: r.level as TerritoryLevel, nameZh: r.nameZh, nameEn: r.nameEn, path: r.path, centroid: centroidOf(r) };
}

function presentDetail(r: TerritoryRow) {
  return {
    id: r.id,
    code: r.code,
    parentCode: parentCodeOf(r.path),
    level: r.level as TerritoryLevel,
    depth: r.depth,
    path: r.path,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    centroid: centroidOf(r),
    households: r.households,
    population: r.population,
    boundary: r.boundary ?? null,
    updatedAt: r.updatedAt.toISOString(),
  };
}

function presentLocated(t: TerritorySummary) {
  return { code: t.code, level: t.level as TerritoryLevel, path: t.path, nameZh: t.nameZh, nameEn: t.nameEn };
}

export const territoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, territoryIndex } = app.deps;
  const db = database.db;
  const tags = ['territories'];

  app.get(
    '/locate',
    {
      schema: {
        tags,
        summary: 'The grid (or coarser territory) containing a point, with its ancestors',
        querystring: LocateQuery,
        response: { 200: LocateResponse, ...errors(400, 422) },
      },
    },
    async (request) => {
      const { lon, lat } = request.query;
      await territoryIndex.ensureFresh();
      const found = territoryIndex.locate(lon, lat);
      if (!found) throw new AppError('out_of_area', `The point (${lon}, ${lat}) is outside every territory served.`);
      return { territory: presentLocated(found.territory), chain: found.chain.map(presentLocated) };
    },
  );

  app.get(
    '/geojson',
    {
      schema: {
        tags,
        summary: 'Boundaries and names for the map (one level of a subtree if asked)',
        querystring: MapQuery,
        response: { 200: TerritoryFeatureCollection, ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      // Boundaries change rarely and the whole city is megabytes: let browsers and proxies reuse it briefly.
      reply.header('cache-control', 'public, max-age=60');
      return territoryMap(db, { rootCode: request.query.root, level: request.query.level });
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Children of a territory, or the roots of the tree',
        querystring: ChildrenQuery,
        response: { 200: Type.Array(TerritorySummaryView), ...errors(400, 404) },
      },
    },
    async (request) => (await listChildren(db, request.query.parent)).map(presentSummary),
  );

  app.get(
    '/export',
    {
      schema: {
        tags,
        summary: 'A subtree as GeoJSON, in the format the import accepts',
        querystring: ExportQuery,
        response: { 200: TerritoryFeatureCollection, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const { root, level } = request.query;
      // Without a root the export is every tree, so the caller must be able to read every root.
      const roots = root ? [await getTerritory(db, root)] : await listChildren(db);
      for (const r of roots) authorize(request.actor, 'territory.read', r.path);
      return exportTerritories(db, { rootCode: root, maxLevel: level });
    },
  );

  app.get(
    '/:code',
    {
      schema: { tags, summary: 'One territory with its figures', params: CodeParams, response: { 200: TerritoryDetailView, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      requireActor(request.actor);
      const territory = await getTerritory(db, request.params.code);
      authorize(request.actor, 'territory.read', territory.path);
      return presentDetail(territory);
    },
  );

  app.patch(
    '/:code',
    {
      schema: {
        tags,
        summary: 'Change the names or figures of a territory',
        params: CodeParams,
        body: UpdateBody,
        response: { 200: TerritoryDetailView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const territory = await getTerritory(db, request.params.code);
      authorize(request.actor, 'territory.manage', territory.path);
      const updated = await updateTerritory(db, request.ctx(), territory.code, request.body);
      if (request.body.nameZh !== undefined || request.body.nameEn !== undefined) await territoryIndex.refresh();
      return presentDetail(updated);
    },
  );

  // The import lives in its own scope so that a body that is not JSON is, like any other bad
  // file, a 422 import_rejected rather than a generic 400.
  await app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error') as (
      request: FastifyRequest,
      body: string,
      done: (err: Error | null, body?: unknown) => void,
    ) => void;
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      parseJson(request, body as string, (err, value) => {
        if (err) done(rejectFile(body.length === 0 ? 'The body is empty' : 'The body is not valid JSON'), undefined);
        else done(null, value);
      });
    });

    scope.post(
      '/import',
      {
        bodyLimit: importBodyLimit,
        // Refuse before reading a large body from someone who may not import at all.
        preParsing: async (request) => {
          requireActor(request.actor);
          if (scopesFor(request.actor, 'territory.manage').length === 0) throw new AppError('forbidden', 'Only an administrator may import territories.');
        },
        schema: {
          tags,
          summary: 'Import or update territories from a GeoJSON FeatureCollection (all or nothing)',
          body: ImportBody,
          response: { 200: ImportResult, ...errors(401, 403, 413, 422) },
        },
      },
      async (request) => {
        requireActor(request.actor);
        const allowedScopes = scopesFor(request.actor, 'territory.manage');
        if (allowedScopes.length === 0) throw new AppError('forbidden', 'Only an administrator may import territories.');
        const result = await importTerritories(db, request.ctx(), request.body, { allowedScopes });
        await territoryIndex.refresh();
        return result;
      },
    );
  });
};
