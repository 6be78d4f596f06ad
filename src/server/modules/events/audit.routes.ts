// The audit trail: administrators and leaders read the events recorded within their scope.
// Events with no territory (sign-ins, city-wide settings) are shown only to holders of a root scope.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { errors, Nullable, Timestamp, Uuid } from '../../lib/schemas.ts';
import { requireActor, scopesFor } from '../../policy/index.ts';
import { listEvents } from './events.repository.ts';

const AuditQuery = Type.Object(
  {
    subjectType: Type.Optional(Type.String({ maxLength: 40 })),
    subjectId: Type.Optional(Type.String({ maxLength: 64 })),
    actorId: Type.Optional(Uuid),
    action: Type.Optional(Type.String({ maxLength: 60 })),
    since: Type.Optional(Timestamp),
    until: Type.Optional(Timestamp),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Cursor: events older than this id' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

const EventView = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Nullable(Type.String()),
  territoryPath: Nullable(Type.String()),
  actorId: Nullable(Uuid),
  actorRole: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  visibility: Type.String(),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  note: Nullable(Type.String()),
  data: Type.Unknown(),
});

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  app.get(
    '/',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit trail within my scope, newest first',
        querystring: AuditQuery,
        response: { 200: Type.Object({ items: Type.Array(EventView), nextBefore: Nullable(Type.Integer()) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const scopes = scopesFor(request.actor, 'audit.read');
      if (scopes.length === 0) throw new AppError('forbidden');
      const q = request.query;
      const limit = q.limit ?? 100;
      const rows = await listEvents(db, {
        scopes,
        includeUnplaced: scopes.some((s) => !s.includes('.')),
        ...q,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        limit,
      });
      return {
        items: rows.map((e) => ({ ...e, at: e.at.toISOString() })),
        nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );
};
