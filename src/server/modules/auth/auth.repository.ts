// SQL for accounts' credentials, sessions, API tokens and role grants.
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, apiTokens, roleGrants, sessions, territories } from '../../db/schema.ts';
import type { Grant, Role } from '../../policy/index.ts';

export type AccountRow = typeof accounts.$inferSelect;

export const phonePattern = /^1[3-9]\d{9}$/;

export async function findAccountByIdentifier(db: Executor, identifier: string): Promise<AccountRow | undefined> {
  const column = phonePattern.test(identifier) ? accounts.phone : accounts.username;
  const value = phonePattern.test(identifier) ? identifier : identifier.toLowerCase();
  const [row] = await db.select().from(accounts).where(eq(column, value)).limit(1);
  return row;
}

export async function findAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id)).limit(1);
  return row;
}

export async function loadGrants(db: Executor, accountId: string): Promise<Grant[]> {
  const rows = await db
    .select({
      id: roleGrants.id,
      role: roleGrants.role,
      territoryId: roleGrants.territoryId,
      scopePath: roleGrants.scopePath,
      organisationId: roleGrants.organisationId,
    })
    .from(roleGrants)
    .where(eq(roleGrants.accountId, accountId))
    .orderBy(asc(roleGrants.scopePath));
  return rows.map((r) => ({ ...r, role: r.role as Role }));
}

export async function insertSession(
  db: Executor,
  values: { tokenHash: string; accountId: string; ip: string | null; userAgent: string | null; now: Date; expiresAt: Date },
) {
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: values.tokenHash,
      accountId: values.accountId,
      ip: values.ip,
      userAgent: values.userAgent,
      createdAt: values.now,
      lastSeenAt: values.now,
      expiresAt: values.expiresAt,
    })
    .returning();
  return row!;
}

/** A live session with its account, or undefined when missing, expired, revoked or disabled. */
export async function findLiveSession(db: Executor, tokenHash: string, now: Date) {
  const [row] = await db
    .select({ session: sessions, account: accounts })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now), eq(accounts.status, 'active')))
    .limit(1);
  return row;
}

export async function touchSession(db: Executor, id: string, now: Date, expiresAt: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id));
}

export async function findLiveToken(db: Executor, tokenHash: string) {
  const [row] = await db
    .select({ token: apiTokens, account: accounts })
    .from(apiTokens)
    .innerJoin(accounts, eq(accounts.id, apiTokens.accountId))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), eq(accounts.status, 'active')))
    .limit(1);
  return row;
}

export async function touchToken(db: Executor, id: string, now: Date): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id));
}

/** The root of the territory tree (the city), where residents' own role is scoped. */
export async function findRootTerritory(db: Executor) {
  const [row] = await db
    .select({ id: territories.id, path: territories.path })
    .from(territories)
    .where(isNull(territories.parentId))
    .orderBy(asc(territories.path))
    .limit(1);
  return row;
}

export async function revokeSessionsOf(db: Executor, accountId: string, now: Date): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length;
}

export const countSql = sql<number>`count(*)::int`;
