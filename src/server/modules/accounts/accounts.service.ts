// Administering accounts: staff accounts, their scoped roles, API tokens, disabling.
// An administrator manages an account only when every role the account holds lies within the
// administrator's own scope, so a district administrator cannot touch a city administrator.
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { maskPhone } from '../../lib/mask.ts';
import { authorize, can, requireActor, scopesFor, type Actor, type Grant, type Role } from '../../policy/index.ts';
import { findAccountById, revokeSessionsOf, type AccountRow } from '../auth/auth.repository.ts';
import { credentialsChanged } from '../auth/credential-cache.ts';
import { createAccount, createApiToken, revokeApiToken } from '../auth/auth.service.ts';
import { hashPassword, passwordProblem } from '../auth/password.ts';
import { recordEvent } from '../events/events.service.ts';
import { findTerritoryByCode } from '../territories/territories.repository.ts';
import { deleteGrant, findOrganisationScope, findToken, grantsOf, insertGrant, updateAccountRow } from './accounts.repository.ts';

export interface GrantInput {
  role: Role;
  territoryCode?: string | undefined;
  organisationId?: string | undefined;
}

interface ResolvedGrant {
  role: Role;
  territoryId: string;
  scopePath: string;
  organisationId: string | null;
}

async function resolveGrant(db: Executor, input: GrantInput, index: number): Promise<ResolvedGrant> {
  const field = `/grants/${index}`;
  const org = input.organisationId ? await findOrganisationScope(db, input.organisationId) : undefined;
  if (input.organisationId && (!org || !org.active)) throw invalid(`${field}/organisationId`, 'No active organisation has this id.');
  if (input.territoryCode) {
    const t = await findTerritoryByCode(db, input.territoryCode);
    if (!t) throw invalid(`${field}/territoryCode`, `No territory has the code ${input.territoryCode}.`);
    return { role: input.role, territoryId: t.id, scopePath: t.path, organisationId: org?.id ?? null };
  }
  if (!org) throw invalid(field, 'Give a territoryCode or an organisationId for each role.');
  return { role: input.role, territoryId: org.territoryId, scopePath: org.territoryPath, organisationId: org.id };
}

/** Managing an account needs 'account.manage' over every role it holds (root scope if none). */
function authorizeManage(actor: Actor | null, grants: Grant[]): asserts actor is Actor {
  requireActor(actor);
  if (grants.length === 0) {
    if (!scopesFor(actor, 'account.manage').some((p) => !p.includes('.'))) throw new AppError('forbidden');
    return;
  }
  for (const g of grants) authorize(actor, 'account.manage', g.scopePath);
}

export function canRead(actor: Actor | null, accountId: string, grants: Grant[]): boolean {
  if (!actor) return false;
  if (actor.accountId === accountId) return true;
  return grants.some((g) => can(actor, 'account.read', g.scopePath));
}

async function loadManaged(db: Executor, ctx: CallContext, id: string): Promise<{ account: AccountRow; grants: Grant[] }> {
  const account = await findAccountById(db, id);
  if (!account) throw notFound('Account');
  const grants = (await grantsOf(db, [id])).get(id) ?? [];
  if (!canRead(ctx.actor, id, grants)) throw notFound('Account');
  authorizeManage(ctx.actor, grants);
  return { account, grants };
}

export async function loadReadable(db: Executor, ctx: CallContext, id: string): Promise<{ account: AccountRow; grants: Grant[] }> {
  requireActor(ctx.actor);
  const account = await findAccountById(db, id);
  const grants = account ? ((await grantsOf(db, [id])).get(id) ?? []) : [];
  // Unreadable and missing look the same, so ids cannot be probed.
  if (!account || !canRead(ctx.actor, id, grants)) throw notFound('Account');
  return { account, grants };
}

export async function createStaffAccount(
  db: Db,
  ctx: CallContext,
  input: { username?: string | undefined; phone?: string | undefined; displayName: string; password: string; grants: GrantInput[] },
) {
  return db.transaction(async (tx) => {
    requireActor(ctx.actor);
    const grants = await Promise.all(input.grants.map((g, i) => resolveGrant(tx, g, i)));
    for (const g of grants) authorize(ctx.actor, 'account.manage', g.scopePath);
    const account = await createAccount(tx, input);
    for (const g of grants) await insertGrant(tx, { accountId: account.id, ...g, grantedBy: ctx.actor.accountId, createdAt: ctx.now });
    await recordEvent(tx, ctx, {
      action: 'account.created',
      subjectType: 'account',
      subjectId: account.id,
      territoryPath: grants[0]!.scopePath,
      data: { username: account.username, roles: grants.map((g) => ({ role: g.role, scopePath: g.scopePath, organisationId: g.organisationId })) },
    });
    return account;
  });
}

export async function updateAccount(
  db: Db,
  ctx: CallContext,
  id: string,
  input: { displayName?: string | undefined; status?: 'active' | 'disabled' | undefined; password?: string | undefined },
) {
  await db.transaction(async (tx) => {
    const { account, grants } = await loadManaged(tx, ctx, id);
    if (input.password) {
      const problem = passwordProblem(input.password);
      if (problem) throw invalid('/password', `The password ${problem}.`);
    }
    if (input.status === 'disabled' && id === ctx.actor?.accountId) throw new AppError('conflict', 'You cannot disable your own account.');
    await updateAccountRow(tx, id, {
      ...(input.displayName !== undefined && { displayName: input.displayName }),
      ...(input.status !== undefined && { status: input.status }),
      ...(input.password !== undefined && { passwordHash: await hashPassword(input.password) }),
      updatedAt: ctx.now,
    });
    // A disabled account or a reset password ends every open session at once.
    const revoked = input.status === 'disabled' || input.password ? await revokeSessionsOf(tx, id, ctx.now) : 0;
    await recordEvent(tx, ctx, {
      action: input.status === 'disabled' && account.status !== 'disabled' ? 'account.disabled' : 'account.updated',
      subjectType: 'account',
      subjectId: id,
      territoryPath: grants[0]?.scopePath ?? null,
      data: { displayName: input.displayName, status: input.status, passwordReset: Boolean(input.password), sessionsRevoked: revoked },
    });
  });
  credentialsChanged();
}

export async function addGrant(db: Db, ctx: CallContext, id: string, input: GrantInput): Promise<Grant> {
  const grant = await db.transaction(async (tx) => {
    await loadManaged(tx, ctx, id);
    const g = await resolveGrant(tx, input, 0);
    authorize(ctx.actor, 'account.manage', g.scopePath);
    const row = await insertGrant(tx, { accountId: id, ...g, grantedBy: ctx.actor?.accountId ?? null, createdAt: ctx.now });
    if (!row) throw new AppError('already_exists', 'The account already holds this role there.');
    await recordEvent(tx, ctx, { action: 'account.role_granted', subjectType: 'account', subjectId: id, territoryPath: g.scopePath, data: { ...g } });
    return { id: row.id, ...g };
  });
  credentialsChanged();
  return grant;
}

export async function removeGrant(db: Db, ctx: CallContext, id: string, grantId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await loadManaged(tx, ctx, id);
    const removed = await deleteGrant(tx, id, grantId);
    if (!removed) throw notFound('Role grant');
    await recordEvent(tx, ctx, { action: 'account.role_revoked', subjectType: 'account', subjectId: id, territoryPath: removed.scopePath, data: { ...removed } });
  });
  credentialsChanged();
}

export async function issueToken(db: Db, ctx: CallContext, id: string, input: { name: string; rateLimitPerMinute: number | null }) {
  await loadManaged(db, ctx, id);
  return createApiToken(db, ctx, { accountId: id, ...input });
}

export async function withdrawToken(db: Db, ctx: CallContext, id: string, tokenId: string) {
  await loadManaged(db, ctx, id);
  if (!(await findToken(db, id, tokenId))) throw notFound('Token');
  await revokeApiToken(db, ctx, tokenId);
}

export async function assertManages(db: Executor, ctx: CallContext, id: string) {
  await loadManaged(db, ctx, id);
}

export function presentAccount(account: AccountRow, grants: Grant[], viewer: Actor | null) {
  return {
    id: account.id,
    username: account.username,
    phone: viewer?.accountId === account.id ? account.phone : maskPhone(account.phone),
    displayName: account.displayName,
    status: account.status as 'active' | 'disabled',
    lastLoginAt: account.lastLoginAt?.toISOString() ?? null,
    createdAt: account.createdAt.toISOString(),
    grants,
  };
}
