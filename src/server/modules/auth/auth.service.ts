// Sign-up, sign-in, sessions and API tokens. Plain functions: routes, CLI and seeds call them.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { accounts, apiTokens, roleGrants, sessions } from '../../db/schema.ts';
import { AppError, invalid } from '../../errors.ts';
import { singleFlight } from '../../lib/single-flight.ts';
import { cachedCredential, credentialsChanged } from './credential-cache.ts';
import { newSecret, sha256 } from '../../lib/tokens.ts';
import type { Actor } from '../../policy/index.ts';
import { recordEvent } from '../events/events.service.ts';
import {
  findAccountByIdentifier,
  findRootTerritory,
  insertSession,
  phonePattern,
  resolveApiToken,
  resolveSession,
  type AccountRow,
} from './auth.repository.ts';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { assertNotLocked, clearFailures, loginKeys, recordFailure } from './throttle.ts';

export const sessionCookie = 'gz_session';
/** Sessions are refreshed at most this often, so reads do not write on every request. */
const touchEveryMs = 5 * 60_000;

export const usernamePattern = /^[a-z][a-z0-9_.-]{2,31}$/;

export interface NewAccount {
  username?: string | undefined;
  phone?: string | undefined;
  displayName: string;
  password: string;
}

/** Validates and inserts an account (without roles). Throws 400/409 with the field at fault. */
export async function createAccount(db: Executor, input: NewAccount): Promise<AccountRow> {
  const username = input.username?.toLowerCase();
  if (!username && !input.phone) throw invalid('/phone', 'Give a phone number or a username.');
  if (username && !usernamePattern.test(username)) {
    throw invalid('/username', 'A username has 3–32 letters, digits, dots, dashes or underscores and starts with a letter.');
  }
  if (input.phone && !phonePattern.test(input.phone)) throw invalid('/phone', 'A phone number has 11 digits and starts with 1.');
  const problem = passwordProblem(input.password);
  if (problem) throw invalid('/password', `The password ${problem}.`);
  if (username && (await findAccountByIdentifier(db, username))) throw new AppError('already_exists', 'This username is taken.', [{ field: '/username', message: 'taken' }]);
  if (input.phone && (await findAccountByIdentifier(db, input.phone))) {
    throw new AppError('already_exists', 'This phone number is already registered.', [{ field: '/phone', message: 'taken' }]);
  }
  const [row] = await db
    .insert(accounts)
    .values({ username: username ?? null, phone: input.phone ?? null, displayName: input.displayName.trim(), passwordHash: await hashPassword(input.password) })
    .returning();
  return row!;
}

/** A resident signs themselves up; their role covers the whole city. */
export async function signUpResident(db: Db, ctx: CallContext, input: NewAccount & { phone: string }): Promise<AccountRow> {
  return db.transaction(async (tx) => {
    const root = await findRootTerritory(tx);
    if (!root) throw new AppError('unavailable', 'No territory is set up yet; an administrator must import one first.');
    const account = await createAccount(tx, input);
    await tx.insert(roleGrants).values({ accountId: account.id, role: 'resident', territoryId: root.id, scopePath: root.path });
    await recordEvent(tx, { ...ctx, actor: actorStub(account) }, { action: 'account.signed_up', subjectType: 'account', subjectId: account.id });
    return account;
  });
}

function actorStub(account: AccountRow): Actor {
  return { accountId: account.id, displayName: account.displayName, grants: [], via: 'session' };
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  account: AccountRow;
}

export async function login(
  db: Db,
  ctx: CallContext,
  input: { identifier: string; password: string; userAgent?: string | undefined; ttlHours: number },
): Promise<LoginResult> {
  const identifier = input.identifier.trim();
  const keys = loginKeys(identifier, ctx.ip);
  await assertNotLocked(db, keys, ctx.now);
  const account = await findAccountByIdentifier(db, identifier);
  // Verify against a decoy when there is no account, so timing does not tell which accounts exist.
  const ok = await verifyPassword(input.password, account?.passwordHash ?? (await decoyHash()));
  if (!account || !ok) {
    await db.transaction(async (tx) => {
      await recordFailure(tx, keys, ctx.now);
      await recordEvent(tx, ctx, { action: 'auth.login_failed', subjectType: 'account', subjectId: account?.id ?? null, data: { identifier } });
    });
    throw new AppError('invalid_credentials');
  }
  if (account.status !== 'active') throw new AppError('account_disabled');
  const token = newSecret('gzs');
  const expiresAt = new Date(ctx.now.getTime() + input.ttlHours * 3600_000);
  await db.transaction(async (tx) => {
    await clearFailures(tx, keys[0]!.key);
    const session = await insertSession(tx, {
      tokenHash: sha256(token),
      accountId: account.id,
      ip: ctx.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      now: ctx.now,
      expiresAt,
    });
    await tx.update(accounts).set({ lastLoginAt: ctx.now }).where(eq(accounts.id, account.id));
    await recordEvent(tx, { ...ctx, actor: actorStub(account) }, { action: 'auth.logged_in', subjectType: 'session', subjectId: session.id });
  });
  return { token, expiresAt, account };
}

// Requests that arrive together with one credential share its lookup (each actor gets its own
// grants array), per database.
type Lookups = {
  session: ReturnType<typeof singleFlight<Awaited<ReturnType<typeof resolveSession>>>>;
  token: ReturnType<typeof singleFlight<Awaited<ReturnType<typeof resolveApiToken>>>>;
};
const lookupsByDb = new WeakMap<Db, Lookups>();
function lookups(db: Db): Lookups {
  let l = lookupsByDb.get(db);
  if (!l) lookupsByDb.set(db, (l = { session: singleFlight(), token: singleFlight() }));
  return l;
}

/** Resolves a session cookie to an actor (one query), sliding its expiry forward now and then. */
export async function actorFromSession(db: Db, token: string, now: Date, ttlHours: number): Promise<Actor | null> {
  const staleBefore = new Date(now.getTime() - touchEveryMs);
  const hash = sha256(token);
  const row = await lookups(db).session(hash, () => resolveSession(db, hash, now, staleBefore, new Date(now.getTime() + ttlHours * 3600_000)));
  if (!row) return null;
  return { accountId: row.accountId, displayName: row.displayName, grants: [...row.grants], via: 'session', sessionId: row.id };
}

/** Resolves an API token to an actor (kept in memory while current: credential-cache.ts); revoked tokens and disabled accounts give null. */
export async function actorFromApiToken(db: Db, token: string, now: Date): Promise<{ actor: Actor; rateLimitPerMinute: number | null } | null> {
  const hash = sha256(token);
  const row = await cachedCredential(db, hash, () => lookups(db).token(hash, () => resolveApiToken(db, hash, now, new Date(now.getTime() - touchEveryMs))));
  if (!row) return null;
  return {
    actor: { accountId: row.accountId, displayName: row.displayName, grants: [...row.grants], via: 'token', tokenId: row.id },
    rateLimitPerMinute: row.rateLimitPerMinute,
  };
}

export async function logout(db: Db, ctx: CallContext): Promise<void> {
  const sessionId = ctx.actor?.sessionId;
  if (!sessionId) return;
  await revokeSession(db, ctx, sessionId);
}

export async function listSessions(db: Executor, accountId: string, now: Date) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .orderBy(desc(sessions.lastSeenAt))
    .then((rows) => rows.filter((r) => r.expiresAt > now));
}

/** Revokes one of the caller's own sessions (or any, for an account administrator: checked by the route). */
export async function revokeSession(db: Db, ctx: CallContext, sessionId: string, ownerId?: string): Promise<void> {
  await db.transaction(async (tx) => {
    const owner = ownerId ?? ctx.actor?.accountId;
    if (!owner) throw new AppError('unauthenticated');
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: ctx.now })
      .where(and(eq(sessions.id, sessionId), eq(sessions.accountId, owner), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (rows.length === 0) throw new AppError('not_found', 'Session not found.');
    await recordEvent(tx, ctx, { action: 'auth.session_revoked', subjectType: 'session', subjectId: sessionId });
  });
}

type ApiTokenInput = { accountId: string; name: string; rateLimitPerMinute: number | null };

/** The row that stores an API token: only its hash, and the prefix that lists show. */
export function apiTokenRow(token: string, input: ApiTokenInput): typeof apiTokens.$inferInsert & { prefix: string } {
  return { accountId: input.accountId, name: input.name, tokenHash: sha256(token), prefix: token.slice(0, 10), rateLimitPerMinute: input.rateLimitPerMinute };
}

export const newApiTokenSecret = () => newSecret('gzt');

export async function createApiToken(db: Db, ctx: CallContext, input: ApiTokenInput): Promise<{ token: string; id: string; prefix: string }> {
  const token = newApiTokenSecret();
  const values = apiTokenRow(token, input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ ...values, createdAt: ctx.now })
      .returning({ id: apiTokens.id });
    await recordEvent(tx, ctx, { action: 'auth.token_created', subjectType: 'api_token', subjectId: row!.id, data: { accountId: input.accountId, name: input.name } });
    return { token, id: row!.id, prefix: values.prefix };
  });
}

export async function revokeApiToken(db: Db, ctx: CallContext, tokenId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.update(apiTokens).set({ revokedAt: ctx.now }).where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt))).returning({ id: apiTokens.id });
    if (rows.length === 0) throw new AppError('not_found', 'Token not found.');
    await recordEvent(tx, ctx, { action: 'auth.token_revoked', subjectType: 'api_token', subjectId: tokenId });
  });
  credentialsChanged();
}
