// Checks and measures for territory boundaries: GeoJSON Polygon or MultiPolygon in WGS84 (lon, lat).
// Pure functions with no database, so the importer can check a whole city before writing anything.
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon, Position } from 'geojson';

export type Boundary = Polygon | MultiPolygon;
export type LonLat = [lon: number, lat: number];

/** Why `geometry` cannot be a territory boundary, or null when it can. */
export function boundaryProblem(geometry: unknown): string | null {
  if (typeof geometry !== 'object' || geometry === null || Array.isArray(geometry)) return 'geometry must be a Polygon or MultiPolygon object';
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (g.type === 'Polygon') return polygonProblem(g.coordinates, '');
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'a MultiPolygon needs at least one polygon';
    for (let i = 0; i < g.coordinates.length; i++) {
      const problem = polygonProblem(g.coordinates[i], `polygon ${i + 1} `);
      if (problem) return problem;
    }
    return null;
  }
  const type = typeof g.type === 'string' ? g.type : 'without a type';
  return `geometry is ${type}; only Polygon and MultiPolygon are accepted`;
}

function polygonProblem(rings: unknown, where: string): string | null {
  if (!Array.isArray(rings) || rings.length === 0) return `${where}has no rings`;
  for (let r = 0; r < rings.length; r++) {
    const ring: unknown = rings[r];
    const name = `${where}ring ${r + 1}`;
    if (!Array.isArray(ring) || ring.length < 4) return `${name} needs at least 4 positions (first repeated last)`;
    for (let p = 0; p < ring.length; p++) {
      const problem = positionProblem(ring[p]);
      if (problem) return `${name} position ${p + 1} ${problem}`;
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) return `${name} is not closed (its last position must repeat the first)`;
  }
  if (ringArea(rings[0] as Position[]) === 0) return `${where}outer ring has no area`;
  return null;
}

function positionProblem(position: unknown): string | null {
  if (!Array.isArray(position) || position.length < 2 || position.length > 3) return 'is not [lon, lat]';
  if (!position.every((n) => typeof n === 'number' && Number.isFinite(n))) return 'has a coordinate that is not a finite number';
  const [lon, lat] = position as number[];
  if (lon! < -180 || lon! > 180 || lat! < -90 || lat! > 90) return `(${lon}, ${lat}) is out of range (lon −180…180, lat −90…90)`;
  return null;
}

function polygonsOf(geometry: Boundary): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** Signed area (shoelace, in squared degrees) and first moments of a ring, relative to `origin`. */
function ringMoments(ring: Position[], ox: number, oy: number): { a: number; mx: number; my: number } {
  let a = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const x0 = ring[i]![0]! - ox;
    const y0 = ring[i]![1]! - oy;
    const x1 = ring[i + 1]![0]! - ox;
    const y1 = ring[i + 1]![1]! - oy;
    const cross = x0 * y1 - x1 * y0;
    a += cross;
    mx += (x0 + x1) * cross;
    my += (y0 + y1) * cross;
  }
  return { a: a / 2, mx: mx / 6, my: my / 6 };
}

function ringArea(ring: Position[]): number {
  const first = ring[0]!;
  return Math.abs(ringMoments(ring, first[0]!, first[1]!).a);
}

/**
 * The area-weighted centroid (holes subtract). Planar in degrees, which is exact enough at the
 * scale of a city. Coordinates are taken relative to the first vertex to keep precision.
 */
export function centroid(geometry: Boundary): LonLat {
  const polygons = polygonsOf(geometry);
  const origin = polygons[0]![0]![0]!;
  const ox = origin[0]!;
  const oy = origin[1]!;
  let area = 0;
  let mx = 0;
  let my = 0;
  for (const rings of polygons) {
    rings.forEach((ring, r) => {
      const m = ringMoments(ring, ox, oy);
      // Orientation varies between sources: the outer ring adds, holes subtract, whatever their winding.
      const sign = (r === 0 ? 1 : -1) * Math.sign(m.a);
      area += sign * m.a;
      mx += sign * m.mx;
      my += sign * m.my;
    });
  }
  if (area <= 0) {
    const outer = polygons[0]![0]!;
    const n = outer.length - 1;
    return [outer.slice(0, n).reduce((s, p) => s + p[0]!, 0) / n, outer.slice(0, n).reduce((s, p) => s + p[1]!, 0) / n];
  }
  return [ox + mx / area, oy + my / area];
}

export function containsPoint(geometry: Boundary, point: LonLat): boolean {
  return booleanPointInPolygon(point, geometry);
}

/**
 * A point certainly inside the geometry: its centroid when that is inside (the usual case),
 * otherwise the middle of the widest span of a horizontal line through its largest polygon.
 * Used to decide whether a child lies inside its parent, which a C-shaped child's centroid cannot.
 */
export function interiorPoint(geometry: Boundary, centre: LonLat = centroid(geometry)): LonLat {
  if (containsPoint(geometry, centre)) return centre;
  const polygons = polygonsOf(geometry);
  const largest = polygons.reduce((best, p) => (ringArea(p[0]!) > ringArea(best[0]!) ? p : best));
  const ys = largest[0]!.map((p) => p[1]!);
  // Slightly off the middle so the line is unlikely to pass exactly through a vertex.
  const y = Math.min(...ys) + (Math.max(...ys) - Math.min(...ys)) * 0.5000001;
  const xs: number[] = [];
  for (const ring of largest) {
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i] as [number, number];
      const [x1, y1] = ring[i + 1] as [number, number];
      if (y0 <= y !== y1 <= y) xs.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
    }
  }
  xs.sort((a, b) => a - b);
  let best: LonLat = centre;
  let width = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1]! - xs[i]! > width) {
      width = xs[i + 1]! - xs[i]!;
      best = [(xs[i]! + xs[i + 1]!) / 2, y];
    }
  }
  return best;
}
