// HTTP for the data that decides routes: categories (anyone may read them; city administrators
// edit) and routing rules (overrides per territory; administrators edit within their scope).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, asc, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { categories, routingRules } from '../../db/schema.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { errors, IdParams, Nullable, Uuid } from '../../lib/schemas.ts';
import { authorize, requireActor, scopesFor } from '../../policy/index.ts';
import { recordEvent } from '../events/events.service.ts';
import { governmentTypes } from '../organisations/organisation-types.ts';
import { findTerritoryByCode } from '../territories/territories.repository.ts';
import { bumpCatalogueVersion, catalogueChanged } from './catalogue.ts';

const levels = ['community', 'street', 'district', 'city'] as const;

const CategoryView = Type.Object({
  code: Type.String(),
  parentCode: Nullable(Type.String()),
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
  deptType: Nullable(Type.String()),
  level: Nullable(Type.String()),
  resolveDays: Nullable(Type.Integer()),
  active: Type.Boolean(),
});
const CategoryPatch = Type.Object(
  {
    nameZh: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    nameEn: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    deptType: Type.Optional(Type.String()),
    level: Type.Optional(Type.Enum(levels)),
    resolveDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
const RuleView = Type.Object({ id: Uuid, categoryCode: Type.String(), territoryPath: Type.String(), level: Type.String(), deptType: Type.String(), note: Nullable(Type.String()), active: Type.Boolean() });
const RuleBody = Type.Object(
  { categoryCode: Type.String(), territoryCode: Type.String(), level: Type.Enum(levels), deptType: Type.String(), note: Type.Optional(Type.String({ maxLength: 300 })) },
  { additionalProperties: false },
);

export const catalogueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;

  app.get('/categories', { schema: { tags: ['routing'], summary: 'Appeal categories (groups and leaves)', response: { 200: Type.Array(CategoryView) } } }, async () =>
    db
      .select({ code: categories.code, parentCode: categories.parentCode, nameZh: categories.nameZh, nameEn: categories.nameEn, deptType: categories.deptType, level: categories.level, resolveDays: categories.resolveDays, active: categories.active })
      .from(categories)
      .orderBy(asc(categories.sort)),
  );

  app.patch(
    '/categories/:code',
    { schema: { tags: ['routing'], summary: 'Edit a category (city administrators)', params: Type.Object({ code: Type.String() }), body: CategoryPatch, response: { 200: CategoryView, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      requireActor(request.actor);
      if (!scopesFor(request.actor, 'category.manage').some((p) => !p.includes('.'))) throw new AppError('forbidden', 'Only city administrators edit categories.');
      const body = request.body;
      if (body.deptType && !governmentTypes.includes(body.deptType)) throw invalid('/deptType', `One of: ${governmentTypes.join(', ')}.`);
      const updated = await db.transaction(async (tx) => {
        const [row] = await tx.update(categories).set({ ...body, updatedAt: request.ctx().now }).where(eq(categories.code, request.params.code)).returning();
        if (!row) throw notFound('Category');
        await bumpCatalogueVersion(tx);
        await recordEvent(tx, request.ctx(), { action: 'category.updated', subjectType: 'category', subjectId: row.code, data: { ...body } });
        return row;
      });
      catalogueChanged();
      return updated;
    },
  );

  app.get(
    '/routing-rules',
    { schema: { tags: ['routing'], summary: 'Routing overrides within my scope', response: { 200: Type.Array(RuleView), ...errors(401, 403) } } },
    async (request) => {
      requireActor(request.actor);
      const scopes = scopesFor(request.actor, 'appeal.read').concat(scopesFor(request.actor, 'routing.manage'));
      if (scopes.length === 0) throw new AppError('forbidden');
      const rows = await db.select().from(routingRules).where(eq(routingRules.active, true)).orderBy(asc(routingRules.territoryPath));
      return rows.filter((r) => scopes.some((s) => r.territoryPath.startsWith(s) || s.startsWith(r.territoryPath)));
    },
  );

  app.post(
    '/routing-rules',
    { schema: { tags: ['routing'], summary: 'Add a routing override for a territory (e.g. this district sends street lights to the street team)', body: RuleBody, response: { 201: RuleView, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      const body = request.body;
      const territory = await findTerritoryByCode(db, body.territoryCode);
      if (!territory) throw invalid('/territoryCode', `No territory has the code ${body.territoryCode}.`);
      authorize(request.actor, 'routing.manage', territory.path);
      if (!governmentTypes.includes(body.deptType)) throw invalid('/deptType', `One of: ${governmentTypes.join(', ')}.`);
      const [category] = await db.select().from(categories).where(eq(categories.code, body.categoryCode));
      if (!category?.deptType) throw invalid('/categoryCode', `${body.categoryCode} is not a leaf category.`);
      const ctx = request.ctx();
      const rule = await db.transaction(async (tx) => {
        const [existing] = await tx.select().from(routingRules).where(and(eq(routingRules.categoryCode, body.categoryCode), eq(routingRules.territoryPath, territory.path), eq(routingRules.active, true)));
        if (existing) throw new AppError('already_exists', 'A rule for this category and territory exists; remove it first.');
        const [row] = await tx
          .insert(routingRules)
          .values({ categoryCode: body.categoryCode, territoryPath: territory.path, level: body.level, deptType: body.deptType, note: body.note ?? null, createdBy: ctx.actor!.accountId, createdAt: ctx.now, updatedAt: ctx.now })
          .returning();
        await bumpCatalogueVersion(tx);
        await recordEvent(tx, ctx, { action: 'routing_rule.created', subjectType: 'routing_rule', subjectId: row!.id, territoryPath: territory.path, data: { ...body } });
        return row!;
      });
      catalogueChanged();
      return reply.status(201).send(rule);
    },
  );

  app.delete(
    '/routing-rules/:id',
    { schema: { tags: ['routing'], summary: 'Remove a routing override', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
    async (request, reply) => {
      const [rule] = await db.select().from(routingRules).where(and(eq(routingRules.id, request.params.id), eq(routingRules.active, true)));
      if (!rule) throw notFound('Routing rule');
      authorize(request.actor, 'routing.manage', rule.territoryPath);
      const ctx = request.ctx();
      await db.transaction(async (tx) => {
        await tx.update(routingRules).set({ active: false, updatedAt: ctx.now }).where(eq(routingRules.id, rule.id));
        await bumpCatalogueVersion(tx);
        await recordEvent(tx, ctx, { action: 'routing_rule.removed', subjectType: 'routing_rule', subjectId: rule.id, territoryPath: rule.territoryPath });
      });
      catalogueChanged();
      return reply.status(204).send(null);
    },
  );
};
