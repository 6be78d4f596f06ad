// SQL for administering accounts and their role grants.
import { and, desc, eq, exists, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { escapeLike, withinPaths } from '../../db/scope.ts';
import { accounts, apiTokens, organisations, roleGrants } from '../../db/schema.ts';
import type { Grant, Role } from '../../policy/index.ts';

export interface AccountFilter {
  scopes: string[];
  withinPath?: string | undefined;
  role?: Role | undefined;
  organisationId?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

export async function listAccounts(db: Executor, f: AccountFilter) {
  const grantMatch = and(
    eq(roleGrants.accountId, accounts.id),
    withinPaths(roleGrants.scopePath, f.scopes),
    f.withinPath ? withinPaths(roleGrants.scopePath, [f.withinPath]) : undefined,
    f.role ? eq(roleGrants.role, f.role) : undefined,
    f.organisationId ? eq(roleGrants.organisationId, f.organisationId) : undefined,
  );
  const conditions: (SQL | undefined)[] = [
    exists(db.select({ one: sql`1` }).from(roleGrants).where(grantMatch)),
    f.q ? or(ilike(accounts.displayName, `%${escapeLike(f.q)}%`), ilike(accounts.username, `%${escapeLike(f.q)}%`), eq(accounts.phone, f.q)) : undefined,
  ];
  const where = and(...conditions);
  const [items, [count]] = await Promise.all([
    db.select().from(accounts).where(where).orderBy(desc(accounts.createdAt)).limit(f.limit).offset(f.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(accounts).where(where),
  ]);
  return { items, total: count?.n ?? 0 };
}

export async function grantsOf(db: Executor, accountIds: string[]): Promise<Map<string, Grant[]>> {
  const map = new Map<string, Grant[]>();
  if (accountIds.length === 0) return map;
  const rows = await db.select().from(roleGrants).where(inArray(roleGrants.accountId, accountIds));
  for (const r of rows) {
    const list = map.get(r.accountId) ?? [];
    list.push({ id: r.id, role: r.role as Role, territoryId: r.territoryId, scopePath: r.scopePath, organisationId: r.organisationId });
    map.set(r.accountId, list);
  }
  return map;
}

export async function findOrganisationScope(db: Executor, id: string) {
  const [row] = await db
    .select({ id: organisations.id, territoryId: organisations.territoryId, territoryPath: organisations.territoryPath, active: organisations.active })
    .from(organisations)
    .where(eq(organisations.id, id));
  return row;
}

export async function insertGrant(db: Executor, values: typeof roleGrants.$inferInsert) {
  const [row] = await db.insert(roleGrants).values(values).onConflictDoNothing().returning({ id: roleGrants.id });
  return row;
}

export async function deleteGrant(db: Executor, accountId: string, grantId: string) {
  const rows = await db
    .delete(roleGrants)
    .where(and(eq(roleGrants.id, grantId), eq(roleGrants.accountId, accountId)))
    .returning({ scopePath: roleGrants.scopePath, role: roleGrants.role });
  return rows[0];
}

export async function updateAccountRow(db: Executor, id: string, values: Partial<typeof accounts.$inferInsert>) {
  await db.update(accounts).set(values).where(eq(accounts.id, id));
}

export async function listTokens(db: Executor, accountId: string) {
  return db.select().from(apiTokens).where(eq(apiTokens.accountId, accountId)).orderBy(desc(apiTokens.createdAt));
}

export async function findToken(db: Executor, accountId: string, tokenId: string) {
  const [row] = await db.select().from(apiTokens).where(and(eq(apiTokens.id, tokenId), eq(apiTokens.accountId, accountId)));
  return row;
}
