// Territories: import and export of the tree as GeoJSON, reading and editing single territories.
// Plain functions: routes, the CLI and the seed call the same code.
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { CallContext } from '../../context.ts';
import type { Db, Executor } from '../../db/client.ts';
import { AppError, notFound } from '../../errors.ts';
import { credentialsChanged } from '../auth/credential-cache.ts';
import { recordEvent } from '../events/events.service.ts';
import type { Boundary } from './geometry.ts';
import {
  findChildren,
  findSubtree,
  findTerritoryByCode,
  loadBoundaries,
  loadTerritoryKeys,
  lockTerritoryWrites,
  moveSubtree,
  parentCodeOf,
  updateTerritoryRow,
  upsertTerritories,
  type TerritoryPatch,
  type TerritoryRow,
  type TerritorySummaryRow,
} from './territories.repository.ts';
import { isTerritoryLevel, territoryLevels, type TerritoryLevel } from './territories.schema.ts';
import { bumpTerritoryVersion } from './territory-index.ts';
import { ImportProblems, parseFeatureCollection, planImport } from './territory-import.ts';

export interface TerritoryProperties {
  code: string;
  parent: string | null;
  level: TerritoryLevel;
  name: string;
  name_en?: string;
  households?: number;
  population?: number;
}
export type TerritoryFeature = Feature<Polygon | MultiPolygon | null, TerritoryProperties> & { id: string };
export type TerritoryCollection = FeatureCollection<Polygon | MultiPolygon | null, TerritoryProperties> & { features: TerritoryFeature[] };

export interface ImportResult {
  created: number;
  updated: number;
  total: number;
}

/**
 * Imports a GeoJSON FeatureCollection of territories, upserting by code. Every feature is checked
 * before anything is written; any problem rejects the whole file (422 import_rejected, one detail
 * line per bad feature). Moving a territory to another parent rewrites its subtree's paths.
 * `allowedScopes` (when not null) limits the import to those subtrees.
 */
export async function importTerritories(
  db: Db,
  ctx: CallContext,
  input: unknown,
  options: { allowedScopes?: string[] | null } = {},
): Promise<ImportResult> {
  const problems = new ImportProblems();
  // Shape and geometry first, outside the transaction: it needs no database and is the slow part.
  const features = parseFeatureCollection(input, problems);
  const result = await db.transaction(async (tx) => {
    await lockTerritoryWrites(tx);
    const stored = new Map((await loadTerritoryKeys(tx)).map((k) => [k.code, k]));
    const inFile = new Set(features.map((f) => f.code));
    const storedParents = [...new Set(features.map((f) => f.parent).filter((p): p is string => p !== null && !inFile.has(p) && stored.has(p)))];
    const storedBoundaries = await loadBoundaries(tx, storedParents);
    const plan = planImport({ features, stored, storedBoundaries, allowedScopes: options.allowedScopes ?? null }, problems);
    if (!plan) throw problems.error();
    for (const move of plan.moves) await moveSubtree(tx, move.oldPath, move.newPath, ctx.now);
    await upsertTerritories(tx, plan.rows, ctx.now);
    await bumpTerritoryVersion(tx);
    await recordEvent(tx, ctx, {
      action: 'territory.imported',
      subjectType: 'territory',
      subjectId: plan.commonPath ? plan.commonPath.split('.').at(-1) : null,
      territoryPath: plan.commonPath,
      data: { created: plan.created, updated: plan.updated },
    });
    return { created: plan.created, updated: plan.updated, total: plan.rows.length };
  });
  // Moved subtrees move the scope paths of role grants in them.
  credentialsChanged();
  return result;
}

function toFeature(row: TerritoryRow, withFigures: boolean): TerritoryFeature {
  const properties: TerritoryProperties = {
    code: row.code,
    parent: parentCodeOf(row.path),
    level: row.level as TerritoryLevel,
    name: row.nameZh,
  };
  if (row.nameEn !== null) properties.name_en = row.nameEn;
  if (withFigures && row.households !== null) properties.households = row.households;
  if (withFigures && row.population !== null) properties.population = row.population;
  return { type: 'Feature', id: row.code, geometry: (row.boundary as Boundary | null) ?? null, properties };
}

async function rootPathOf(db: Executor, rootCode: string | undefined): Promise<string | undefined> {
  if (rootCode === undefined) return undefined;
  const root = await findTerritoryByCode(db, rootCode);
  if (!root) throw notFound(`Territory ${rootCode}`);
  return root.path;
}

function depthOf(level: string | undefined, field: string): number | undefined {
  if (level === undefined) return undefined;
  if (!isTerritoryLevel(level)) throw new AppError('validation_failed', `${field} must be one of ${territoryLevels.join(', ')}.`, [{ field, message: 'unknown level' }]);
  return territoryLevels.indexOf(level);
}

/**
 * The tree (or the subtree under `rootCode`, down to `maxLevel`) in the format importTerritories
 * accepts, parents before children, so an export imports back unchanged.
 */
export async function exportTerritories(db: Executor, options: { rootCode?: string; maxLevel?: string } = {}): Promise<TerritoryCollection> {
  const rootPath = await rootPathOf(db, options.rootCode);
  const rows = await findSubtree(db, { rootPath, maxDepth: depthOf(options.maxLevel, 'maxLevel') });
  return { type: 'FeatureCollection', features: rows.map((r) => toFeature(r, true)) };
}

/** Public map layer: boundaries and names only, optionally one level of a subtree. */
export async function territoryMap(db: Executor, options: { rootCode?: string | undefined; level?: string | undefined } = {}): Promise<TerritoryCollection> {
  const rootPath = await rootPathOf(db, options.rootCode);
  const rows = await findSubtree(db, { rootPath, depth: depthOf(options.level, 'level'), withBoundary: true });
  return { type: 'FeatureCollection', features: rows.map((r) => toFeature(r, false)) };
}

export async function getTerritory(db: Executor, code: string): Promise<TerritoryRow> {
  const row = await findTerritoryByCode(db, code);
  if (!row) throw notFound(`Territory ${code}`);
  return row;
}

/** Children of `parentCode`, or the roots of the tree when it is absent. */
export async function listChildren(db: Executor, parentCode?: string): Promise<TerritorySummaryRow[]> {
  if (parentCode === undefined) return findChildren(db, null);
  const parent = await getTerritory(db, parentCode);
  return findChildren(db, parent.id);
}

/** Changes names and figures of one territory (the caller has been authorised for it). */
export async function updateTerritory(db: Db, ctx: CallContext, code: string, patch: TerritoryPatch): Promise<TerritoryRow> {
  return db.transaction(async (tx) => {
    const before = await getTerritory(tx, code);
    const after = await updateTerritoryRow(tx, before.id, patch, ctx.now);
    const changed = Object.fromEntries(
      (Object.keys(patch) as (keyof TerritoryPatch)[])
        .filter((k) => patch[k] !== undefined && patch[k] !== before[k])
        .map((k) => [k, { from: before[k], to: after[k] }]),
    );
    // Names are part of what locate answers, so other processes must rebuild their index.
    if (patch.nameZh !== undefined || patch.nameEn !== undefined) await bumpTerritoryVersion(tx);
    await recordEvent(tx, ctx, { action: 'territory.updated', subjectType: 'territory', subjectId: code, territoryPath: after.path, data: changed });
    return after;
  });
}
