// HTTP for administering accounts, their roles and API tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, notFound } from '../../errors.ts';
import { errors, IdParams } from '../../lib/schemas.ts';
import { pathCovers, requireActor, scopesFor } from '../../policy/index.ts';
import { GrantView } from '../auth/auth.schema.ts';
import { findTerritoryByCode } from '../territories/territories.repository.ts';
import { grantsOf, listAccounts, listTokens } from './accounts.repository.ts';
import { AccountList, AccountView, CreateBody, GrantInput, GrantParams, ListQuery, NewToken, TokenBody, TokenParams, TokenView, UpdateBody } from './accounts.schema.ts';
import {
  addGrant,
  assertManages,
  createStaffAccount,
  issueToken,
  loadReadable,
  presentAccount,
  removeGrant,
  updateAccount,
  withdrawToken,
} from './accounts.service.ts';

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.deps.database.db;
  const tags = ['accounts'];

  app.get(
    '/',
    { schema: { tags, summary: 'Accounts holding roles within my scope', querystring: ListQuery, response: { 200: AccountList, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      requireActor(request.actor);
      const scopes = scopesFor(request.actor, 'account.read');
      if (scopes.length === 0) throw new AppError('forbidden');
      const q = request.query;
      let withinPath: string | undefined;
      if (q.within) {
        const t = await findTerritoryByCode(db, q.within);
        if (!t) throw notFound(`Territory ${q.within}`);
        if (!scopes.some((s) => pathCovers(s, t.path) || pathCovers(t.path, s))) throw new AppError('forbidden');
        withinPath = t.path;
      }
      const { items, total } = await listAccounts(db, { scopes, withinPath, role: q.role, organisationId: q.organisationId, q: q.q, limit: q.limit ?? 50, offset: q.offset ?? 0 });
      const grants = await grantsOf(
        db,
        items.map((a) => a.id),
      );
      return { total, items: items.map((a) => presentAccount(a, grants.get(a.id) ?? [], request.actor)) };
    },
  );

  app.post(
    '/',
    { schema: { tags, summary: 'Create a staff account with its roles', body: CreateBody, response: { 201: AccountView, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      requireActor(request.actor);
      const account = await createStaffAccount(db, request.ctx(), request.body);
      const { grants } = await loadReadable(db, request.ctx(), account.id);
      return reply.status(201).send(presentAccount(account, grants, request.actor));
    },
  );

  app.get('/:id', { schema: { tags, summary: 'One account', params: IdParams, response: { 200: AccountView, ...errors(401, 404) } } }, async (request) => {
    const { account, grants } = await loadReadable(db, request.ctx(), request.params.id);
    return presentAccount(account, grants, request.actor);
  });

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Rename, disable or reset the password (ends its sessions)',
        params: IdParams,
        body: UpdateBody,
        response: { 200: AccountView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await updateAccount(db, request.ctx(), request.params.id, request.body);
      const { account, grants } = await loadReadable(db, request.ctx(), request.params.id);
      return presentAccount(account, grants, request.actor);
    },
  );

  app.post(
    '/:id/grants',
    { schema: { tags, summary: 'Grant a role over a scope', params: IdParams, body: GrantInput, response: { 201: GrantView, ...errors(400, 401, 403, 404, 409) } } },
    async (request, reply) => reply.status(201).send(await addGrant(db, request.ctx(), request.params.id, request.body)),
  );

  app.delete(
    '/:id/grants/:grantId',
    { schema: { tags, summary: 'Withdraw a role', params: GrantParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
    async (request, reply) => {
      await removeGrant(db, request.ctx(), request.params.id, request.params.grantId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/:id/tokens',
    { schema: { tags, summary: 'API tokens of an account', params: IdParams, response: { 200: Type.Array(TokenView), ...errors(401, 403, 404) } } },
    async (request) => {
      await assertManages(db, request.ctx(), request.params.id);
      const rows = await listTokens(db, request.params.id);
      return rows.map((t) => ({
        id: t.id,
        name: t.name,
        prefix: t.prefix,
        rateLimitPerMinute: t.rateLimitPerMinute,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      }));
    },
  );

  app.post(
    '/:id/tokens',
    {
      schema: { tags, summary: 'Issue an API token for an integration', params: IdParams, body: TokenBody, response: { 201: NewToken, ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) => reply.status(201).send(await issueToken(db, request.ctx(), request.params.id, request.body)),
  );

  app.delete(
    '/:id/tokens/:tokenId',
    { schema: { tags, summary: 'Revoke an API token', params: TokenParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
    async (request, reply) => {
      await withdrawToken(db, request.ctx(), request.params.id, request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
};
