// HTTP for organisations. Reads are for staff within their scope; changes for administrators.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { findTerritoryByCode } from '../territories/territories.repository.ts';
import { AppError, notFound } from '../../errors.ts';
import { errors, IdParams } from '../../lib/schemas.ts';
import { authorize, pathCovers, requireActor, scopesFor } from '../../policy/index.ts';
import { CreateBody, ListQuery, OrganisationList, OrganisationView, UpdateBody } from './organisations.schema.ts';
import { findOrganisation, listOrganisations } from './organisations.repository.ts';
import { createOrganisation, presentOrganisation, updateOrganisationById } from './organisations.service.ts';

export const organisationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  const tags = ['organisations'];

  app.get(
    '/',
    { schema: { tags, summary: 'Organisations within my scope', querystring: ListQuery, response: { 200: OrganisationList, ...errors(400, 401, 403) } } },
    async (request) => {
      requireActor(request.actor);
      const q = request.query;
      const scopes = scopesFor(request.actor, 'organisation.read');
      if (scopes.length === 0) throw new AppError('forbidden');
      const lookup = async (code: string) => {
        const t = await findTerritoryByCode(db, code);
        if (!t) throw notFound(`Territory ${code}`);
        if (!scopes.some((s) => pathCovers(s, t.path) || pathCovers(t.path, s))) throw new AppError('forbidden');
        return t;
      };
      const territory = q.territory ? await lookup(q.territory) : undefined;
      const within = q.within ? await lookup(q.within) : undefined;
      const { items, total } = await listOrganisations(db, {
        scopes,
        territoryId: territory?.id,
        withinPath: within?.path,
        kind: q.kind,
        type: q.type,
        parentId: q.parent,
        q: q.q,
        includeInactive: q.includeInactive,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
      return { total, items: items.map(presentOrganisation) };
    },
  );

  app.get(
    '/:id',
    { schema: { tags, summary: 'One organisation', params: IdParams, response: { 200: OrganisationView, ...errors(401, 403, 404) } } },
    async (request) => {
      const org = await findOrganisation(db, request.params.id);
      if (!org) throw notFound('Organisation');
      authorize(request.actor, 'organisation.read', org.territoryPath);
      return presentOrganisation(org);
    },
  );

  app.post(
    '/',
    { schema: { tags, summary: 'Create an organisation', body: CreateBody, response: { 201: OrganisationView, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      requireActor(request.actor);
      const org = await createOrganisation(db, request.ctx(), request.body);
      return reply.status(201).send(presentOrganisation(org));
    },
  );

  app.patch(
    '/:id',
    {
      schema: { tags, summary: 'Change an organisation', params: IdParams, body: UpdateBody, response: { 200: OrganisationView, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      requireActor(request.actor);
      return presentOrganisation(await updateOrganisationById(db, request.ctx(), request.params.id, request.body));
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Deactivate an organisation (kept for history)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      requireActor(request.actor);
      await updateOrganisationById(db, request.ctx(), request.params.id, { active: false });
      return reply.status(204).send(null);
    },
  );
};
