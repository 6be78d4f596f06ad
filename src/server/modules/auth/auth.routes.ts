// HTTP for sign-up, sign-in and the caller's own sessions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors, IdParams } from '../../lib/schemas.ts';
import { requireActor } from '../../policy/index.ts';
import { findAccountById, loadGrants } from './auth.repository.ts';
import { Me, LoginBody, SessionView, SignUpBody } from './auth.schema.ts';
import { listSessions, login, logout, revokeSession, sessionCookie, signUpResident } from './auth.service.ts';
import type { Db } from '../../db/client.ts';

async function presentMe(db: Db, accountId: string) {
  const account = await findAccountById(db, accountId);
  if (!account) throw new Error('account vanished');
  return {
    id: account.id,
    displayName: account.displayName,
    username: account.username,
    phone: account.phone,
    locale: account.locale,
    grants: await loadGrants(db, account.id),
  };
}

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, config } = app.deps;
  const db = database.db;

  app.post(
    '/signup',
    { schema: { tags: ['auth'], summary: 'A resident signs up with a phone number', body: SignUpBody, response: { 201: Me, ...errors(400, 409) } } },
    async (request, reply) => {
      const account = await signUpResident(db, request.ctx(), request.body);
      return reply.status(201).send(await presentMe(db, account.id));
    },
  );

  app.post(
    '/login',
    {
      schema: { tags: ['auth'], summary: 'Sign in; sets the session cookie', body: LoginBody, response: { 200: Me, ...errors(400, 401, 403, 429) } },
    },
    async (request, reply) => {
      const result = await login(db, request.ctx(), { ...request.body, userAgent: request.headers['user-agent'], ttlHours: config.sessionTtlHours });
      reply.setCookie(sessionCookie, result.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        path: '/',
        expires: result.expiresAt,
      });
      return presentMe(db, result.account.id);
    },
  );

  app.post('/logout', { schema: { tags: ['auth'], summary: 'Sign out of this session', response: { 204: Type.Null() } } }, async (request, reply) => {
    await logout(db, request.ctx());
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.status(204).send(null);
  });

  app.get('/me', { schema: { tags: ['auth'], summary: 'Who am I, with my roles', response: { 200: Me, ...errors(401) } } }, async (request) => {
    requireActor(request.actor);
    return presentMe(db, request.actor.accountId);
  });

  app.get(
    '/sessions',
    { schema: { tags: ['auth'], summary: 'My signed-in sessions', response: { 200: Type.Array(SessionView), ...errors(401) } } },
    async (request) => {
      requireActor(request.actor);
      const rows = await listSessions(db, request.actor.accountId, request.ctx().now);
      return rows.map((s) => ({
        id: s.id,
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.id === request.actor?.sessionId,
      }));
    },
  );

  app.delete(
    '/sessions/:id',
    { schema: { tags: ['auth'], summary: 'Revoke one of my sessions', params: IdParams, response: { 204: Type.Null(), ...errors(401, 404) } } },
    async (request, reply) => {
      requireActor(request.actor);
      await revokeSession(db, request.ctx(), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
