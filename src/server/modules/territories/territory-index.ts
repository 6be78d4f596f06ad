// In-process spatial index over territory polygons: Flatbush over bounding boxes, then an exact
// point-in-polygon test. locate(lon, lat) is synchronous and does no I/O.
// The index remembers the territory version it was built at (meta.territory_version, bumped by
// every territory change), so that every app process can notice a change and rebuild.
import Flatbush from 'flatbush';
import { asc, isNotNull } from 'drizzle-orm';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Db, Executor } from '../../db/client.ts';
import { territories } from '../../db/schema.ts';
import { VersionWatch } from '../../db/versions.ts';

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

/**
 * One level's polygons. Ring coordinates are packed into one Float64Array (x, y, x, y …):
 * locate is bound by memory access, and packed rings are ~4× faster to test than nested arrays.
 */
interface Layer {
  index: Flatbush;
  located: Located[];
  /** Entry i's rings are ringStart[i] … ringStart[i + 1] - 1. */
  ringStart: Uint32Array;
  /** Ring r's coordinates are coords[coordStart[r] … coordStart[r + 1] - 1]. */
  coordStart: Uint32Array;
  coords: Float64Array;
}

/** Levels searched, most specific first; a point not in any grid falls back to coarser levels. */
const searchLevels = ['grid', 'community', 'street', 'district', 'city'] as const;
/** A process trusts its index for 2 s before asking the database whether territories changed. */
const watch = new VersionWatch('territory_version', 2000);

export const bumpTerritoryVersion = (db: Executor) => watch.bump(db);

export class TerritoryIndex {
  private layers: Layer[] = [];
  private version = -1;
  private building: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  get size(): number {
    return this.layers.reduce((n, l) => n + l.located.length, 0);
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
    if ((await watch.version(this.db, { now })) !== this.version) await this.refresh();
  }

  private async build(): Promise<void> {
    const version = await watch.version(this.db, { force: true });
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
    const layers: Layer[] = [];
    for (const level of searchLevels) {
      const geometries: (Polygon | MultiPolygon)[] = [];
      const located: Located[] = [];
      for (const r of rows) {
        if (r.level !== level) continue;
        const geometry = r.boundary as Polygon | MultiPolygon;
        if (geometry?.type !== 'Polygon' && geometry?.type !== 'MultiPolygon') continue;
        const chain = r.path.split('.').map((code) => byCode.get(code)).filter((t): t is TerritorySummary => t !== undefined);
        geometries.push(geometry);
        located.push({ territory: byCode.get(r.code)!, chain });
      }
      if (geometries.length > 0) layers.push(packLayer(geometries, located));
    }
    this.layers = layers;
    this.version = version;
  }

  /** The deepest territory containing the point, with its ancestors; null when outside all. */
  locate(lon: number, lat: number): Located | null {
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
    for (const layer of this.layers) {
      // Candidates by bounding box (usually one or two), then the exact test.
      const candidates = layer.index.search(lon, lat, lon, lat);
      for (let c = 0; c < candidates.length; c++) {
        const i = candidates[c]!;
        if (ringsContain(layer, layer.ringStart[i]!, layer.ringStart[i + 1]!, lon, lat)) return layer.located[i]!;
      }
    }
    return null;
  }
}

function packLayer(geometries: (Polygon | MultiPolygon)[], located: Located[]): Layer {
  const ringsOf = (g: Polygon | MultiPolygon): Position[][] => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());
  let ringCount = 0;
  let coordCount = 0;
  for (const g of geometries) {
    for (const ring of ringsOf(g)) {
      ringCount += 1;
      coordCount += ring.length * 2;
    }
  }
  const ringStart = new Uint32Array(geometries.length + 1);
  const coordStart = new Uint32Array(ringCount + 1);
  const coords = new Float64Array(coordCount);
  const index = new Flatbush(geometries.length);
  let r = 0;
  let k = 0;
  geometries.forEach((g, i) => {
    ringStart[i] = r;
    for (const ring of ringsOf(g)) {
      coordStart[r++] = k;
      for (const [x, y] of ring) {
        coords[k++] = x!;
        coords[k++] = y!;
      }
    }
    const [minX, minY, maxX, maxY] = bbox(g);
    index.add(minX, minY, maxX, maxY);
  });
  ringStart[geometries.length] = r;
  coordStart[r] = k;
  index.finish();
  return { index, located, ringStart, coordStart, coords };
}

/**
 * Even-odd ray casting over rings from..to-1 (all rings of all parts: parts do not overlap, so
 * parity over every ring is membership of the whole MultiPolygon, holes included). The
 * half-open rule puts a point on an edge shared by two neighbouring cells into exactly one.
 */
function ringsContain(layer: Layer, from: number, to: number, x: number, y: number): boolean {
  const { coordStart, coords } = layer;
  let inside = false;
  for (let r = from; r < to; r++) {
    const start = coordStart[r]!;
    const end = coordStart[r + 1]!;
    for (let a = start, b = end - 2; a < end; b = a, a += 2) {
      const xa = coords[a]!;
      const ya = coords[a + 1]!;
      const xb = coords[b]!;
      const yb = coords[b + 1]!;
      if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
    }
  }
  return inside;
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

