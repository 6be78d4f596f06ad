// In-process spatial index over territory polygons: Flatbush over bounding boxes, then an exact
// point-in-polygon test. locate(lon, lat) is synchronous and allocation-free on the hot path.
// The index remembers the territory version it was built at (meta.territory_version, bumped by
// every territory change), so that every app process can notice a change and rebuild.
import Flatbush from 'flatbush';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { asc, eq, isNotNull } from 'drizzle-orm';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Db, Executor } from '../../db/client.ts';
import { meta, territories } from '../../db/schema.ts';

export interface TerritorySummary {
  id: string;
  code: string;
  level: string;
  path: string;
  nameZh: string;
  nameEn: string | null;
}

export interface Located {
  /** The deepest polygon containing the point: normally a grid. */
  territory: TerritorySummary;
  /** Root first, the located territory last. */
  chain: TerritorySummary[];
}

interface Entry {
  geometry: Polygon | MultiPolygon;
  located: Located;
}

/** Levels searched, most specific first; a point not in any grid falls back to coarser levels. */
const searchLevels = ['grid', 'community', 'street', 'district', 'city'] as const;
const versionKey = 'territory_version';
/** How long a process trusts its index before asking the database whether territories changed. */
const freshnessMs = 2000;

export async function bumpTerritoryVersion(db: Executor): Promise<void> {
  await db
    .insert(meta)
    .values({ key: versionKey, value: Date.now() })
    .onConflictDoUpdate({ target: meta.key, set: { value: Date.now(), updatedAt: new Date() } });
}

async function readVersion(db: Executor): Promise<number> {
  const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, versionKey));
  return typeof row?.value === 'number' ? row.value : 0;
}

export class TerritoryIndex {
  private layers: { index: Flatbush; entries: Entry[] }[] = [];
  private version = -1;
  private checkedAt = 0;
  private building: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  get size(): number {
    return this.layers.reduce((n, l) => n + l.entries.length, 0);
  }

  /** Rebuilds from the database now. */
  async refresh(): Promise<void> {
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  /** Rebuilds if another process (or this one) changed territories since the last build. */
  async ensureFresh(now = Date.now()): Promise<void> {
    if (now - this.checkedAt < freshnessMs) return;
    this.checkedAt = now;
    if ((await readVersion(this.db)) !== this.version) await this.refresh();
  }

  private async build(): Promise<void> {
    const version = await readVersion(this.db);
    const rows = await this.db
      .select({
        id: territories.id,
        code: territories.code,
        level: territories.level,
        path: territories.path,
        nameZh: territories.nameZh,
        nameEn: territories.nameEn,
        boundary: territories.boundary,
      })
      .from(territories)
      .where(isNotNull(territories.boundary))
      .orderBy(asc(territories.path));
    const byCode = new Map<string, TerritorySummary>();
    for (const r of rows) byCode.set(r.code, { id: r.id, code: r.code, level: r.level, path: r.path, nameZh: r.nameZh, nameEn: r.nameEn });
    // Ancestors without a boundary are still part of the chain.
    const missing = new Set<string>();
    for (const r of rows) for (const code of r.path.split('.')) if (!byCode.has(code)) missing.add(code);
    if (missing.size > 0) {
      const extra = await this.db
        .select({ id: territories.id, code: territories.code, level: territories.level, path: territories.path, nameZh: territories.nameZh, nameEn: territories.nameEn })
        .from(territories);
      for (const r of extra) if (missing.has(r.code)) byCode.set(r.code, r);
    }
    const layers: { index: Flatbush; entries: Entry[] }[] = [];
    for (const level of searchLevels) {
      const entries: Entry[] = [];
      const boxes: [number, number, number, number][] = [];
      for (const r of rows) {
        if (r.level !== level) continue;
        const geometry = r.boundary as Polygon | MultiPolygon;
        if (geometry?.type !== 'Polygon' && geometry?.type !== 'MultiPolygon') continue;
        const chain = r.path.split('.').map((code) => byCode.get(code)).filter((t): t is TerritorySummary => t !== undefined);
        entries.push({ geometry, located: { territory: byCode.get(r.code)!, chain } });
        boxes.push(bbox(geometry));
      }
      if (entries.length === 0) continue;
      const index = new Flatbush(entries.length);
      for (const b of boxes) index.add(b[0], b[1], b[2], b[3]);
      index.finish();
      layers.push({ index, entries });
    }
    this.layers = layers;
    this.version = version;
    this.checkedAt = Date.now();
  }

  /** The deepest territory containing the point, with its ancestors; null when outside all. */
  locate(lon: number, lat: number): Located | null {
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
    const point = [lon, lat];
    for (const layer of this.layers) {
      let found: Located | null = null;
      layer.index.search(lon, lat, lon, lat, (i) => {
        if (found) return false;
        const entry = layer.entries[i]!;
        if (booleanPointInPolygon(point, entry.geometry)) {
          found = entry.located;
          return true;
        }
        return false;
      });
      if (found) return found;
    }
    return null;
  }
}

export function bbox(geometry: Polygon | MultiPolygon): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] ?? []) {
      if (x! < minX) minX = x!;
      if (y! < minY) minY = y!;
      if (x! > maxX) maxX = x!;
      if (y! > maxY) maxY = y!;
    }
  }
  return [minX, minY, maxX, maxY];
}
