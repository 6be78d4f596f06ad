// HTTP for the caller's own notifications. Any signed-in account (residents too) has them; no
// route takes an account id, so nobody can list or mark another person's notifications.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { invalid } from '../../errors.ts';
import { errors } from '../../lib/schemas.ts';
import { requireActor } from '../../policy/index.ts';
import { ListQuery, NotificationList, ReadBody, ReadResult, UnreadCount } from './notifications.schema.ts';
import { listNotifications, markRead, presentNotification, unreadCount } from './notifications.service.ts';

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  const tags = ['notifications'];

  app.get(
    '/',
    {
      schema: { tags, summary: 'My notifications, newest first', querystring: ListQuery, response: { 200: NotificationList, ...errors(400, 401) } },
    },
    async (request) => {
      requireActor(request.actor);
      const q = request.query;
      const page = await listNotifications(db, request.actor.accountId, { unreadOnly: q.unreadOnly, before: q.before, limit: q.limit ?? 50 });
      return { items: page.items.map(presentNotification), nextBefore: page.nextBefore };
    },
  );

  app.get(
    '/unread-count',
    { schema: { tags, summary: 'How many of my notifications are unread', response: { 200: UnreadCount, ...errors(401) } } },
    async (request) => {
      requireActor(request.actor);
      return { count: await unreadCount(db, request.actor.accountId) };
    },
  );

  app.post(
    '/read',
    {
      schema: {
        tags,
        summary: 'Mark some (ids) or all (all: true) of my notifications read',
        body: ReadBody,
        response: { 200: ReadResult, ...errors(400, 401) },
      },
    },
    async (request) => {
      requireActor(request.actor);
      const { ids, all } = request.body;
      if (all && ids) throw invalid('/ids', 'Give either ids or all: true, not both.');
      if (!all && !ids) throw invalid('/ids', 'Give the ids to mark read, or all: true.');
      const accountId = request.actor.accountId;
      const updated = await markRead(db, accountId, all ? 'all' : ids!, request.ctx().now);
      return { updated, unreadCount: await unreadCount(db, accountId) };
    },
  );
};
