// All SQL of organisations.
import { and, asc, eq, getTableColumns, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { escapeLike, withinPaths } from '../../db/scope.ts';
import { organisations, territories } from '../../db/schema.ts';

export type OrganisationRow = typeof organisations.$inferSelect & { territoryCode: string };

const columns = { ...getTableColumns(organisations), territoryCode: territories.code };

export async function findOrganisation(db: Executor, id: string): Promise<OrganisationRow | undefined> {
  const [row] = await db.select(columns).from(organisations).innerJoin(territories, eq(territories.id, organisations.territoryId)).where(eq(organisations.id, id));
  return row;
}

export async function findOrganisationByCode(db: Executor, code: string) {
  const [row] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, code));
  return row;
}

export interface OrganisationFilter {
  scopes: string[];
  territoryId?: string | undefined;
  withinPath?: string | undefined;
  kind?: string | undefined;
  type?: string | undefined;
  parentId?: string | undefined;
  q?: string | undefined;
  includeInactive?: boolean | undefined;
  limit: number;
  offset: number;
}

export async function listOrganisations(db: Executor, f: OrganisationFilter) {
  const conditions: (SQL | undefined)[] = [
    withinPaths(organisations.territoryPath, f.scopes),
    f.territoryId ? eq(organisations.territoryId, f.territoryId) : undefined,
    f.withinPath ? withinPaths(organisations.territoryPath, [f.withinPath]) : undefined,
    f.kind ? eq(organisations.kind, f.kind) : undefined,
    f.type ? eq(organisations.type, f.type) : undefined,
    f.parentId ? eq(organisations.parentId, f.parentId) : undefined,
    f.q ? or(ilike(organisations.nameZh, `%${escapeLike(f.q)}%`), ilike(organisations.code, `%${escapeLike(f.q)}%`)) : undefined,
    f.includeInactive ? undefined : eq(organisations.active, true),
  ];
  const where = and(...conditions);
  const [items, [count]] = await Promise.all([
    db
      .select(columns)
      .from(organisations)
      .innerJoin(territories, eq(territories.id, organisations.territoryId))
      .where(where)
      .orderBy(asc(organisations.territoryPath), asc(organisations.code))
      .limit(f.limit)
      .offset(f.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(organisations).where(where),
  ]);
  return { items, total: count?.n ?? 0 };
}

export async function countActiveChildren(db: Executor, id: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(organisations)
    .where(and(eq(organisations.active, true), or(eq(organisations.parentId, id), eq(organisations.hostOrganisationId, id))));
  return row?.n ?? 0;
}

export async function insertOrganisation(db: Executor, values: typeof organisations.$inferInsert) {
  const [row] = await db.insert(organisations).values(values).returning({ id: organisations.id });
  return row!;
}

export async function updateOrganisation(db: Executor, id: string, values: Partial<typeof organisations.$inferInsert>) {
  await db.update(organisations).set(values).where(eq(organisations.id, id));
}
