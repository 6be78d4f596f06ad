import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boxPolygon } from '../../../../test/helpers/factories.ts';
import { pathCovers } from '../../policy/index.ts';
import type { TerritoryKey } from './territories.repository.ts';
import { ImportProblems, parseFeatureCollection, planImport } from './territory-import.ts';

const levels = ['city', 'district', 'street', 'community', 'grid', 'building'];
const box = boxPolygon([0, 0, 10, 10]);
const feature = (code: string, parent: string | null, level: string, extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: level === 'building' ? null : box,
  properties: { code, parent, level, name: code, ...extra },
});

function storedTree(paths: string[]): Map<string, TerritoryKey> {
  return new Map(
    paths.map((path, i) => {
      const code = path.split('.').at(-1)!;
      return [code, { id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, code, path, level: levels[path.split('.').length - 1]! }];
    }),
  );
}

describe('territory import plan', () => {
  it('reports every property problem of a feature on one line', () => {
    const problems = new ImportProblems();
    const parsed = parseFeatureCollection(
      {
        type: 'FeatureCollection',
        features: [
          feature('A', null, 'city'),
          { type: 'Feature', geometry: box, properties: { code: 'B', parent: 'A', level: 'town', name: ' ', households: -1, population: 2.5, name_en: 7 } },
        ],
      },
      problems,
    );
    assert.deepEqual(parsed.map((f) => f.code), ['A']);
    assert.deepEqual(problems.details(), [
      {
        field: 'features/1',
        message:
          'B: level must be one of city, district, street, community, grid, building; name must be 1–100 characters; ' +
          'name_en must be text of at most 200 characters; households must be a whole number from 0; population must be a whole number from 0',
      },
    ]);
  });

  it('rejects what is not a FeatureCollection, or an empty one, as a whole', () => {
    for (const input of [null, [], 'x', { type: 'Feature' }, { type: 'FeatureCollection' }, { type: 'FeatureCollection', features: [] }]) {
      assert.throws(
        () => parseFeatureCollection(input, new ImportProblems()),
        (e: { code?: string; message?: string }) => e.code === 'import_rejected' && /nothing was imported/.test(e.message ?? ''),
      );
    }
  });

  it('plans subtree moves deepest first, dropping those an ancestor’s move implies', () => {
    const stored = storedTree(['C', 'C.D1', 'C.D2', 'C.D1.S1', 'C.D1.S2', 'C.D1.S1.M1', 'C.D1.S1.M1.G1', 'C.D1.S1.M1.G1.B1', 'C.D1.S1.M1.G9']);
    const problems = new ImportProblems();
    const features = parseFeatureCollection(
      {
        type: 'FeatureCollection',
        features: [
          feature('S1', 'D2', 'street'), // the street moves to another district…
          feature('M1', 'S1', 'community'), // …its community follows without a move of its own…
          feature('G1', 'M2', 'grid'), // …but one grid goes to a new community in the old district.
          feature('M2', 'S2', 'community'),
        ],
      },
      problems,
    );
    const plan = planImport({ features, stored, storedBoundaries: new Map(), allowedScopes: null }, problems);
    assert.deepEqual(problems.details(), []);
    assert.deepEqual(plan!.moves, [
      { oldPath: 'C.D1.S1.M1.G1', newPath: 'C.D1.S2.M2.G1' },
      { oldPath: 'C.D1.S1', newPath: 'C.D2.S1' },
    ]);
    assert.equal(plan!.created, 1);
    assert.equal(plan!.updated, 3);
    // Applying the moves in order to the stored paths gives the tree the file describes.
    let paths = [...stored.values()].map((s) => s.path);
    for (const m of plan!.moves) paths = paths.map((p) => (pathCovers(m.oldPath, p) ? m.newPath + p.slice(m.oldPath.length) : p));
    assert.deepEqual(paths.sort(), ['C', 'C.D1', 'C.D1.S2', 'C.D1.S2.M2.G1', 'C.D1.S2.M2.G1.B1', 'C.D2', 'C.D2.S1', 'C.D2.S1.M1', 'C.D2.S1.M1.G9']);
    assert.deepEqual(
      plan!.rows.map((r) => r.path).sort(),
      ['C.D1.S2.M2', 'C.D1.S2.M2.G1', 'C.D2.S1', 'C.D2.S1.M1'],
    );
    assert.equal(plan!.commonPath, 'C');
  });

  it('refuses a level change under which stored territories hang, and a root that is not a city', () => {
    const stored = storedTree(['C', 'C.D1', 'C.D1.S1', 'C.D1.S1.M1']);
    const problems = new ImportProblems();
    const features = parseFeatureCollection({ type: 'FeatureCollection', features: [feature('D1', null, 'district'), feature('S1', 'C', 'district')] }, problems);
    assert.equal(planImport({ features, stored, storedBoundaries: new Map(), allowedScopes: null }, problems), null);
    assert.deepEqual(problems.details(), [
      { field: 'features/0', message: 'D1: only a city may have no parent; a district needs one' },
      { field: 'features/1', message: 'S1: level cannot change from street to district while it has territories below it' },
    ]);
  });
});
