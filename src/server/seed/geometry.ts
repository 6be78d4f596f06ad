// Deterministic synthetic geography for the demo city. Every level is a set of convex cells that
// tile its parent exactly: Voronoi cells of sites sampled inside the parent (d3-delaunay), each
// clipped to the convex parent (Sutherland–Hodgman). Convex children of a convex parent keep
// their centroids inside the parent, which is what the territory import checks.
import { Delaunay } from 'd3-delaunay';
import type { Polygon } from 'geojson';

export type Point = [lon: number, lat: number];
/** An open ring (first vertex not repeated), counter-clockwise. */
export type Ring = Point[];

/** Twice the signed area; positive when counter-clockwise. */
function signedArea2(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

export function ringArea(ring: Ring): number {
  return Math.abs(signedArea2(ring)) / 2;
}

function counterClockwise(ring: Ring): Ring {
  return signedArea2(ring) < 0 ? [...ring].reverse() : ring;
}

/** Drops the closing vertex of a GeoJSON-style ring. */
export function openRing(ring: readonly (readonly number[])[]): Ring {
  const pts = ring.map(([x, y]) => [x!, y!] as Point);
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (first && last && pts.length > 1 && first[0] === last[0] && first[1] === last[1]) pts.pop();
  return pts;
}

/** Area-weighted centroid of a simple polygon. */
export function ringCentroid(ring: Ring): Point {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    const f = x1 * y2 - x2 * y1;
    a += f;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  if (a === 0) return ring[0]!;
  return [cx / (3 * a), cy / (3 * a)];
}

function cross(a: Point, b: Point, p: Point): number {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

/** True when p lies inside (or on) a convex counter-clockwise ring. */
export function insideConvex(ring: Ring, p: Point): boolean {
  for (let i = 0; i < ring.length; i++) if (cross(ring[i]!, ring[(i + 1) % ring.length]!, p) < 0) return false;
  return true;
}

/** Sutherland–Hodgman: the part of `subject` inside the convex `clip` (both open rings). */
export function clipToConvex(subject: Ring, clip: Ring): Ring {
  const edges = counterClockwise(clip);
  let output = counterClockwise(subject);
  for (let i = 0; i < edges.length && output.length > 0; i++) {
    const a = edges[i]!;
    const b = edges[(i + 1) % edges.length]!;
    const input = output;
    output = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j]!;
      const q = input[(j + 1) % input.length]!;
      const cp = cross(a, b, p);
      const cq = cross(a, b, q);
      if (cp >= 0) output.push(p);
      // The edge p→q crosses the clip line: add the crossing point.
      if ((cp >= 0) !== (cq >= 0)) {
        const t = cp / (cp - cq);
        output.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
  }
  return output;
}

export function ringBounds(ring: Ring): [number, number, number, number] {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** A uniformly random point inside a convex ring (rejection in its bounding box). */
export function randomPointIn(ring: Ring, rng: () => number, bounds = ringBounds(ring)): Point {
  const [x0, y0, x1, y1] = bounds;
  for (;;) {
    const p: Point = [x0 + rng() * (x1 - x0), y0 + rng() * (y1 - y0)];
    if (insideConvex(ring, p)) return p;
  }
}

/**
 * `count` well-spread sites inside a convex ring: dart throwing with a minimum spacing, kept
 * off the border (sampled in the ring shrunk towards its centroid), so no cell is a sliver.
 */
export function sampleSites(ring: Ring, count: number, rng: () => number): Point[] {
  const c = ringCentroid(ring);
  const inner: Ring = counterClockwise(ring).map(([x, y]) => [c[0] + 0.85 * (x - c[0]), c[1] + 0.85 * (y - c[1])]);
  const bounds = ringBounds(inner);
  let spacing = 0.6 * Math.sqrt(ringArea(ring) / count);
  const sites: Point[] = [];
  let misses = 0;
  while (sites.length < count) {
    const p = randomPointIn(inner, rng, bounds);
    if (sites.every((s) => Math.hypot(s[0] - p[0], s[1] - p[1]) >= spacing)) {
      sites.push(p);
      misses = 0;
    } else if (++misses > 200) {
      spacing *= 0.8; // crowded: accept closer sites rather than loop forever
      misses = 0;
    }
  }
  return sites;
}

/** The Voronoi cells of `sites`, each clipped to the convex `parent`; cells tile the parent. */
export function voronoiCells(sites: Point[], parent: Ring): Ring[] {
  const clip = counterClockwise(parent);
  if (sites.length === 1) return [clip];
  const [x0, y0, x1, y1] = ringBounds(clip);
  const pad = Math.max(x1 - x0, y1 - y0);
  const voronoi = Delaunay.from(sites).voronoi([x0 - pad, y0 - pad, x1 + pad, y1 + pad]);
  return sites.map((_, i) => {
    const cell = voronoi.cellPolygon(i);
    if (!cell) throw new Error(`geometry: site ${i} has no Voronoi cell (duplicate site?)`);
    return clipToConvex(openRing(cell), clip);
  });
}

/**
 * Splits a convex parent into `count` convex cells of similar size: sampled sites, then a few
 * Lloyd steps (each site moves to its cell's centroid, which stays inside the parent).
 */
export function splitConvex(parent: Ring, count: number, rng: () => number, lloydSteps = 2): Ring[] {
  let sites = sampleSites(parent, count, rng);
  let cells = voronoiCells(sites, parent);
  for (let step = 0; step < lloydSteps; step++) {
    sites = cells.map(ringCentroid);
    cells = voronoiCells(sites, parent);
  }
  return cells;
}

/** A GeoJSON Polygon with coordinates rounded to `digits` decimals, closed, counter-clockwise. */
export function toPolygon(ring: Ring, digits = 6): Polygon {
  const f = 10 ** digits;
  const rounded: Ring = [];
  for (const [x, y] of counterClockwise(ring)) {
    const p: Point = [Math.round(x * f) / f, Math.round(y * f) / f];
    const prev = rounded[rounded.length - 1];
    if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) rounded.push(p);
  }
  while (rounded.length > 1 && rounded[0]![0] === rounded[rounded.length - 1]![0] && rounded[0]![1] === rounded[rounded.length - 1]![1]) rounded.pop();
  if (rounded.length < 3 || ringArea(rounded) === 0) throw new Error('geometry: a cell collapsed when rounded');
  return { type: 'Polygon', coordinates: [[...rounded, rounded[0]!]] };
}
