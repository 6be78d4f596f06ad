// All SQL for territories. Functions accept the database or a transaction.
import { and, asc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { organisations, roleGrants, territories } from '../../db/schema.ts';
import { withinPaths } from '../../db/scope.ts';
import { defineStatement, runStatement } from '../../db/statements.ts';
import type { Boundary } from './geometry.ts';

export type TerritoryRow = typeof territories.$inferSelect;

/** The fields a tree view or the importer needs, without the (large) boundary. */
export const summaryColumns = {
  id: territories.id,
  code: territories.code,
  level: territories.level,
  path: territories.path,
  depth: territories.depth,
  nameZh: territories.nameZh,
  nameEn: territories.nameEn,
  centroidLon: territories.centroidLon,
  centroidLat: territories.centroidLat,
};
export type TerritorySummaryRow = Pick<TerritoryRow, keyof typeof summaryColumns>;

/** Codes per `in (…)` lookup: well under PostgreSQL's 65,535 bind parameters. */
const batchSize = 500;
/** Territories per upsert statement (one JSON parameter of a few megabytes at most). */
const upsertBatchSize = 2000;

export async function findTerritoryByCode(db: Executor, code: string): Promise<TerritoryRow | undefined> {
  const [row] = await db.select().from(territories).where(eq(territories.code, code)).limit(1);
  return row;
}

/** Children of a territory, or the roots when `parentId` is null. */
export async function findChildren(db: Executor, parentId: string | null): Promise<TerritorySummaryRow[]> {
  return db
    .select(summaryColumns)
    .from(territories)
    .where(parentId === null ? isNull(territories.parentId) : eq(territories.parentId, parentId))
    .orderBy(asc(territories.code));
}

export async function findRoots(db: Executor): Promise<TerritorySummaryRow[]> {
  return findChildren(db, null);
}

export interface SubtreeFilter {
  /** Only this path and below; absent means every tree. */
  rootPath?: string | undefined;
  /** Only territories at this depth. */
  depth?: number | undefined;
  /** Only territories at this depth or above. */
  maxDepth?: number | undefined;
  /** Only territories with a boundary. */
  withBoundary?: boolean | undefined;
}

/** A subtree ordered root first (by depth, then path), so parents come before their children. */
export async function findSubtree(db: Executor, filter: SubtreeFilter): Promise<TerritoryRow[]> {
  const conditions: (SQL | undefined)[] = [
    filter.rootPath === undefined ? undefined : withinPaths(territories.path, [filter.rootPath]),
    filter.depth === undefined ? undefined : eq(territories.depth, filter.depth),
    filter.maxDepth === undefined ? undefined : lte(territories.depth, filter.maxDepth),
    filter.withBoundary ? sql`${territories.boundary} is not null` : undefined,
  ];
  return db
    .select()
    .from(territories)
    .where(and(...conditions))
    .orderBy(asc(territories.depth), asc(territories.path));
}

export interface TerritoryKey {
  id: string;
  code: string;
  level: string;
  path: string;
}

/** Every territory's identity and place in the tree: what the importer checks a file against. */
export async function loadTerritoryKeys(db: Executor): Promise<TerritoryKey[]> {
  return db.select({ id: territories.id, code: territories.code, level: territories.level, path: territories.path }).from(territories);
}

export async function loadBoundaries(db: Executor, codes: readonly string[]): Promise<Map<string, Boundary | null>> {
  const found = new Map<string, Boundary | null>();
  for (let i = 0; i < codes.length; i += batchSize) {
    const rows = await db
      .select({ code: territories.code, boundary: territories.boundary })
      .from(territories)
      .where(inArray(territories.code, codes.slice(i, i + batchSize)));
    for (const r of rows) found.set(r.code, (r.boundary as Boundary | null) ?? null);
  }
  return found;
}

// The codes come as one comma-separated text (territory codes hold none): the same parameter on
// both drivers.
const namesByCode = defineStatement('gz_territory_names', `select code, name_zh from territories where code = any(string_to_array($codes, ','))`);

/** Chinese names of territories by code. */
async function territoryNamesByCode(db: Executor, codes: readonly string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await runStatement<{ code: string; name_zh: string }>(db, namesByCode, { codes: codes.join(',') });
  return new Map(rows.map((r) => [r.code, r.name_zh]));
}

/**
 * The part of a territory path that may name a case's place in public and to staff outside its
 * unit: city, district, street and community, never the grid (a few buildings) below them.
 */
export function publicPlaceCodes(path: string): string[] {
  return path.split('.').slice(0, 4);
}

/**
 * For each path given, the Chinese names of its public place (publicPlaceCodes), city first, or
 * from the level `from` (1: district, street, community); read in one statement.
 */
export async function publicPlaceNames(db: Executor, paths: readonly string[]): Promise<(path: string, from?: number) => string[]> {
  const names = await territoryNamesByCode(db, [...new Set(paths.flatMap(publicPlaceCodes))]);
  return (path, from = 0) =>
    publicPlaceCodes(path)
      .slice(from)
      .flatMap((code) => names.get(code) ?? []);
}

/** Serialises territory imports across processes, for the length of the transaction. */
export async function lockTerritoryWrites(db: Executor): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${0x67_7a_74_65})`); // "gzte"
}

/** One territory as the importer writes it (column names as in the table). */
export interface TerritoryWrite {
  id: string;
  code: string;
  parent_id: string | null;
  level: string;
  path: string;
  depth: number;
  name_zh: string;
  name_en: string | null;
  boundary: Boundary | null;
  centroid_lon: number | null;
  centroid_lat: number | null;
  households: number | null;
  population: number | null;
}

/**
 * Inserts or updates by code. Optional facts the file leaves out (English name, households,
 * population) keep their stored values. Rows travel as one JSON parameter per batch rather than
 * thirteen bind parameters each: on PGlite that is several times faster for a whole city.
 */
export async function upsertTerritories(db: Executor, rows: readonly TerritoryWrite[], now: Date): Promise<void> {
  const at = now.toISOString();
  for (let i = 0; i < rows.length; i += upsertBatchSize) {
    const batch = JSON.stringify(rows.slice(i, i + upsertBatchSize));
    await db.execute(sql`
      insert into territories (id, code, parent_id, level, path, depth, name_zh, name_en, boundary,
                               centroid_lon, centroid_lat, households, population, created_at, updated_at)
      select r.id, r.code, r.parent_id, r.level, r.path, r.depth, r.name_zh, r.name_en, r.boundary::jsonb,
             r.centroid_lon, r.centroid_lat, r.households, r.population, ${at}::timestamptz, ${at}::timestamptz
      from json_to_recordset(${batch}::json) as r(
        id uuid, code text, parent_id uuid, level text, path text, depth int, name_zh text, name_en text, boundary json,
        centroid_lon float8, centroid_lat float8, households int, population int)
      on conflict (code) do update set
        parent_id = excluded.parent_id, level = excluded.level, path = excluded.path, depth = excluded.depth,
        name_zh = excluded.name_zh, name_en = coalesce(excluded.name_en, territories.name_en),
        boundary = excluded.boundary, centroid_lon = excluded.centroid_lon, centroid_lat = excluded.centroid_lat,
        households = coalesce(excluded.households, territories.households),
        population = coalesce(excluded.population, territories.population),
        updated_at = excluded.updated_at`);
  }
}

/**
 * Rewrites the materialised path of a moved subtree, and the copies of it that other tables keep
 * (organisations' territory_path, role grants' scope_path) so scoping stays one prefix query.
 * Past events keep the path they were recorded with: history is not rewritten.
 */
export async function moveSubtree(db: Executor, oldPath: string, newPath: string, now: Date): Promise<void> {
  const keep = oldPath.length + 1;
  await db
    .update(territories)
    .set({ path: sql`${newPath}::text || substr(${territories.path}, ${keep}::int)`, updatedAt: now })
    .where(withinPaths(territories.path, [oldPath]));
  await db
    .update(organisations)
    .set({ territoryPath: sql`${newPath}::text || substr(${organisations.territoryPath}, ${keep}::int)`, updatedAt: now })
    .where(withinPaths(organisations.territoryPath, [oldPath]));
  await db
    .update(roleGrants)
    .set({ scopePath: sql`${newPath}::text || substr(${roleGrants.scopePath}, ${keep}::int)` })
    .where(withinPaths(roleGrants.scopePath, [oldPath]));
}

export interface TerritoryPatch {
  nameZh?: string | undefined;
  nameEn?: string | null | undefined;
  households?: number | null | undefined;
  population?: number | null | undefined;
}

export async function updateTerritoryRow(db: Executor, id: string, patch: TerritoryPatch, now: Date): Promise<TerritoryRow> {
  const [row] = await db
    .update(territories)
    .set({ ...patch, updatedAt: now })
    .where(eq(territories.id, id))
    .returning();
  return row!;
}

/** The parent's code is the second-to-last segment of the path: no join needed. */
export function parentCodeOf(path: string): string | null {
  const segments = path.split('.');
  return segments.length > 1 ? segments[segments.length - 2]! : null;
}
