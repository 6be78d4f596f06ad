import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Polygon } from 'geojson';
import { boundaryProblem, centroid, containsPoint, interiorPoint } from './geometry.ts';

const polygon = (...rings: number[][][]): Polygon => ({ type: 'Polygon', coordinates: rings });
const square = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const close = (a: number[], b: number[]) => assert.ok(Math.abs(a[0]! - b[0]!) < 1e-9 && Math.abs(a[1]! - b[1]!) < 1e-9, `${a} ≈ ${b}`);

describe('territory geometry', () => {
  it('accepts polygons and multipolygons with closed rings', () => {
    assert.equal(boundaryProblem(polygon(square(0, 0, 1, 1))), null);
    assert.equal(boundaryProblem(polygon(square(0, 0, 4, 4), square(1, 1, 2, 2))), null);
    assert.equal(boundaryProblem({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(2, 2, 3, 3)]] }), null);
  });

  it('says what is wrong with a geometry that cannot be a boundary', () => {
    const cases: [unknown, RegExp][] = [
      [null, /must be a Polygon or MultiPolygon/],
      [{ type: 'Point', coordinates: [1, 2] }, /geometry is Point/],
      [{ type: 'LineString', coordinates: [[1, 2], [3, 4]] }, /geometry is LineString/],
      [{ coordinates: [] }, /without a type/],
      [polygon(), /has no rings/],
      [polygon([[0, 0], [1, 0], [0, 0]]), /ring 1 needs at least 4 positions/],
      [polygon([[0, 0], [1, 0], [1, 1], [0, 1]]), /ring 1 is not closed/],
      [polygon([[0, 0], [1, 0], [1, Number.NaN], [0, 0]]), /position 3 has a coordinate that is not a finite number/],
      [polygon([[0, 0], [1, 0], ['1', 1] as unknown as number[], [0, 0]]), /not a finite number/],
      [polygon([[0, 0], [1, 0], [1], [0, 0]]), /position 3 is not \[lon, lat\]/],
      [polygon([[0, 0], [181, 0], [1, 1], [0, 0]]), /out of range/],
      [polygon([[0, 0], [1, 0], [1, 95], [0, 0]]), /out of range/],
      [polygon([[0, 0], [1, 1], [2, 2], [0, 0]]), /outer ring has no area/],
      [{ type: 'MultiPolygon', coordinates: [] }, /at least one polygon/],
      [{ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [[[0, 0], [1, 0], [0, 0]]]] }, /polygon 2 ring 1/],
    ];
    for (const [geometry, expected] of cases) assert.match(boundaryProblem(geometry) ?? 'accepted', expected, JSON.stringify(geometry));
  });

  it('computes the area-weighted centroid whatever the winding, with holes subtracted', () => {
    close(centroid(polygon(square(0, 0, 2, 2))), [1, 1]);
    close(centroid(polygon(square(0, 0, 2, 2).reverse())), [1, 1]);
    // An L of three unit squares: (0,0), (1,0), (0,1).
    close(centroid(polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]])), [5 / 6, 5 / 6]);
    // A 2×2 square with a unit hole in its upper right corner is the same L.
    close(centroid(polygon(square(0, 0, 2, 2), square(1, 1, 2, 2))), [5 / 6, 5 / 6]);
    close(centroid({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(3, 0, 4, 1)]] }), [2, 0.5]);
    // Real coordinates far from the origin keep their precision.
    close(centroid(polygon(square(114.05, 22.4, 114.2, 22.9))), [114.125, 22.65]);
  });

  it('finds a point inside a shape whose centroid lies outside it', () => {
    const u = polygon([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]);
    const c = centroid(u);
    assert.equal(containsPoint(u, c), false, 'the centroid of a U is in its gap');
    const p = interiorPoint(u, c);
    assert.equal(containsPoint(u, p), true);
    close(interiorPoint(polygon(square(0, 0, 2, 2))), [1, 1]);
  });
});
