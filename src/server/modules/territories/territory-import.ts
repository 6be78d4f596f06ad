// Checks a GeoJSON FeatureCollection of territories against itself and the stored tree, and plans
// the writes. Nothing here touches the database: the service loads what is stored, asks for a
// plan, and writes only when no feature has a problem. Lookups are Maps, so a city of ~16,000
// features is checked in well under a second.
import { randomUUID } from 'node:crypto';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { pathCovers } from '../../policy/index.ts';
import { boundaryProblem, centroid, containsPoint, interiorPoint, type Boundary, type LonLat } from './geometry.ts';
import { parentCodeOf, type TerritoryWrite, type TerritoryKey } from './territories.repository.ts';
import { codePattern, isTerritoryLevel, territoryLevels, type TerritoryLevel } from './territories.schema.ts';

export interface ParsedFeature {
  index: number;
  code: string;
  parent: string | null;
  level: TerritoryLevel;
  nameZh: string;
  /** null: not given, keep what is stored. */
  nameEn: string | null;
  households: number | null;
  population: number | null;
  /** null for a building without one, or when the geometry was rejected. */
  boundary: Boundary | null;
  centroid: LonLat | null;
}

/** Problems per feature; each bad feature becomes one line of the error's details. */
export class ImportProblems {
  private readonly byIndex = new Map<number, { label: string; reasons: string[] }>();

  add(index: number, label: string, reason: string): void {
    const entry = this.byIndex.get(index);
    if (entry) entry.reasons.push(reason);
    else this.byIndex.set(index, { label, reasons: [reason] });
  }

  get count(): number {
    return this.byIndex.size;
  }

  details(): ErrorDetail[] {
    return [...this.byIndex.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, e]) => ({ field: `features/${index}`, message: `${e.label}: ${e.reasons.join('; ')}` }));
  }

  error(): AppError {
    const n = this.count;
    return new AppError('import_rejected', `${n} ${n === 1 ? 'feature' : 'features'} rejected; nothing was imported.`, this.details());
  }
}

/** The whole file is unusable (not JSON, not a FeatureCollection). */
export function rejectFile(reason: string): AppError {
  return new AppError('import_rejected', `${reason}; nothing was imported.`, [{ field: '', message: reason }]);
}

/** Codes that would be shadowed by the fixed routes under /api/v1/territories/. */
const reservedCodes = new Set(['locate', 'geojson', 'export', 'import']);
const levelIndex = (level: string) => (territoryLevels as readonly string[]).indexOf(level);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100_000_000;

/**
 * Checks the shape of the file and of each feature. Returns the features whose code and level
 * are readable (even if something else about them is wrong), so cross-checks can still find
 * their children's parents.
 */
export function parseFeatureCollection(input: unknown, problems: ImportProblems): ParsedFeature[] {
  if (!isObject(input) || input.type !== 'FeatureCollection' || !Array.isArray(input.features)) {
    throw rejectFile('The file is not a GeoJSON FeatureCollection (an object with "type": "FeatureCollection" and a "features" array)');
  }
  if (input.features.length === 0) throw rejectFile('The FeatureCollection has no features');
  const parsed: ParsedFeature[] = [];
  input.features.forEach((feature: unknown, index) => {
    const props = isObject(feature) && isObject(feature.properties) ? feature.properties : undefined;
    const rawCode = props?.code;
    const label = typeof rawCode === 'string' && rawCode.length > 0 && rawCode.length <= 64 ? rawCode : `#${index}`;
    const problem = (reason: string) => problems.add(index, label, reason);
    if (!isObject(feature) || feature.type !== 'Feature') return problem('not a GeoJSON Feature');
    if (!props) return problem('properties are missing');

    const code = typeof rawCode === 'string' && codePattern.test(rawCode) ? rawCode : undefined;
    if (!code) problem('code must be 1–32 letters, digits, "-" or "_"');
    else if (reservedCodes.has(code)) problem(`code ${code} is reserved (it names an API path)`);
    const rawParent = props.parent ?? null;
    const parent = rawParent === null || (typeof rawParent === 'string' && codePattern.test(rawParent)) ? rawParent : undefined;
    if (parent === undefined) problem('parent must be a territory code, or null for the city');
    const level = isTerritoryLevel(props.level) ? props.level : undefined;
    if (!level) problem(`level must be one of ${territoryLevels.join(', ')}`);
    const nameZh = typeof props.name === 'string' ? props.name.trim() : '';
    if (nameZh.length === 0 || nameZh.length > 100) problem('name must be 1–100 characters');
    const nameEn = props.name_en ?? null;
    if (nameEn !== null && (typeof nameEn !== 'string' || nameEn.length > 200)) problem('name_en must be text of at most 200 characters');
    for (const key of ['households', 'population'] as const) {
      if ((props[key] ?? null) !== null && !isCount(props[key])) problem(`${key} must be a whole number from 0`);
    }

    let boundary: Boundary | null = null;
    if (feature.geometry === null || feature.geometry === undefined) {
      if (level && level !== 'building') problem('geometry is missing; only a building may have none');
    } else {
      const geometryProblem = boundaryProblem(feature.geometry);
      if (geometryProblem) problem(geometryProblem);
      else boundary = feature.geometry as unknown as Boundary;
    }
    if (!code || !level || parent === undefined) return;
    parsed.push({
      index,
      code,
      parent,
      level,
      nameZh,
      nameEn: typeof nameEn === 'string' ? nameEn : null,
      households: isCount(props.households) ? props.households : null,
      population: isCount(props.population) ? props.population : null,
      boundary,
      centroid: boundary ? centroid(boundary) : null,
    });
  });
  return parsed;
}

export interface ImportPlan {
  rows: TerritoryWrite[];
  /** Stored subtrees whose path changes, deepest first (see moveSubtree). */
  moves: { oldPath: string; newPath: string }[];
  created: number;
  updated: number;
  /** The deepest path covering every imported territory, for the audit event. */
  commonPath: string | null;
}

export interface PlanInput {
  features: ParsedFeature[];
  stored: ReadonlyMap<string, TerritoryKey>;
  /** Boundaries of stored parents the file refers to but does not contain. */
  storedBoundaries: ReadonlyMap<string, Boundary | null>;
  allowedScopes: readonly string[] | null;
}

/** Cross-checks features against each other and the stored tree; returns null when any problem was found. */
export function planImport(input: PlanInput, problems: ImportProblems): ImportPlan | null {
  const { stored, storedBoundaries, allowedScopes } = input;
  const inFile = new Map<string, ParsedFeature>();
  for (const f of input.features) {
    const first = inFile.get(f.code);
    if (first) problems.add(f.index, f.code, `duplicate code (first at features/${first.index})`);
    else inFile.set(f.code, f);
  }
  const storedChildren = new Set<string>();
  for (const s of stored.values()) {
    const parent = parentCodeOf(s.path);
    if (parent) storedChildren.add(parent);
  }
  const levelOf = (code: string) => inFile.get(code)?.level ?? stored.get(code)?.level;
  const parentOf = (code: string): string | null | undefined => {
    const f = inFile.get(code);
    if (f) return f.parent;
    const s = stored.get(code);
    return s ? parentCodeOf(s.path) : undefined;
  };
  const paths = new Map<string, string | null>();
  // The resulting path, following parents in the file first, then stored ones; null if unresolvable.
  const pathOf = (code: string, hops = 0): string | null => {
    const known = paths.get(code);
    if (known !== undefined) return known;
    const parent = parentOf(code);
    const parentPath = parent === null ? '' : parent === undefined || hops > territoryLevels.length ? null : pathOf(parent, hops + 1);
    const path = parentPath === null ? null : parentPath ? `${parentPath}.${code}` : code;
    paths.set(code, path);
    return path;
  };

  for (const f of inFile.values()) {
    const problem = (reason: string) => problems.add(f.index, f.code, reason);
    const was = stored.get(f.code);
    if (f.parent === null) {
      if (f.level !== 'city') problem(`only a city may have no parent; a ${f.level} needs one`);
    } else {
      const parentLevel = levelOf(f.parent);
      if (!parentLevel) problem(`unknown parent ${f.parent}`);
      else if (levelIndex(f.level) !== levelIndex(parentLevel) + 1) {
        const expected = territoryLevels[levelIndex(f.level) - 1];
        problem(`a ${f.level} cannot be under ${parentLevel} ${f.parent}${expected ? `; its parent must be a ${expected}` : ''}`);
      } else if (f.boundary) {
        const parentBoundary = inFile.has(f.parent) ? inFile.get(f.parent)!.boundary : storedBoundaries.get(f.parent);
        if (parentBoundary && !containsPoint(parentBoundary, interiorPoint(f.boundary, f.centroid!))) problem(`lies outside its parent ${f.parent}`);
      }
    }
    if (was && was.level !== f.level && storedChildren.has(f.code)) problem(`level cannot change from ${was.level} to ${f.level} while it has territories below it`);
    if (allowedScopes) {
      const path = pathOf(f.code);
      const covered = (p: string) => allowedScopes.some((scope) => pathCovers(scope, p));
      if ((path && !covered(path)) || (was && !covered(was.path))) problem('outside your scope');
    }
  }
  if (problems.count > 0) return null;

  const newIds = new Map<string, string>();
  const idOf = (code: string) => stored.get(code)?.id ?? newIds.get(code)!;
  for (const code of inFile.keys()) if (!stored.has(code)) newIds.set(code, randomUUID());

  const rows: TerritoryWrite[] = [];
  const moves: ImportPlan['moves'] = [];
  let commonPath: string[] | null = null;
  for (const f of inFile.values()) {
    const path = pathOf(f.code)!;
    const was = stored.get(f.code);
    if (was && was.path !== path) moves.push({ oldPath: was.path, newPath: path });
    const segments = path.split('.');
    commonPath = commonPath ? commonPath.slice(0, commonPrefixLength(commonPath, segments)) : segments;
    rows.push({
      id: idOf(f.code),
      code: f.code,
      parent_id: f.parent === null ? null : idOf(f.parent),
      level: f.level,
      path,
      depth: levelIndex(f.level),
      name_zh: f.nameZh,
      name_en: f.nameEn,
      boundary: f.boundary,
      centroid_lon: f.centroid?.[0] ?? null,
      centroid_lat: f.centroid?.[1] ?? null,
      households: f.households,
      population: f.population,
    });
  }
  const created = newIds.size;
  return { rows, moves: essentialMoves(moves), created, updated: rows.length - created, commonPath: commonPath?.length ? commonPath.join('.') : null };
}

/**
 * Drops moves implied by a move of an ancestor (a whole district moved: its streets follow by
 * themselves) and orders the rest deepest first. Deepest first is what makes one prefix rewrite
 * per move correct: a subtree already moved to its final path no longer matches its old
 * ancestor's prefix.
 */
function essentialMoves(moves: ImportPlan['moves']): ImportPlan['moves'] {
  const depth = (p: string) => p.split('.').length;
  const kept: ImportPlan['moves'] = [];
  for (const m of [...moves].sort((a, b) => depth(a.oldPath) - depth(b.oldPath))) {
    const cover = kept.filter((k) => pathCovers(k.oldPath, m.oldPath)).sort((a, b) => depth(b.oldPath) - depth(a.oldPath))[0];
    if (cover && cover.newPath + m.oldPath.slice(cover.oldPath.length) === m.newPath) continue;
    kept.push(m);
  }
  return kept.sort((a, b) => depth(b.oldPath) - depth(a.oldPath));
}

function commonPrefixLength(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
