import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../../../../test/helpers/app.ts';
import { boxPolygon, type Box } from '../../../../test/helpers/factories.ts';
import { systemContext } from '../../context.ts';
import type { Database } from '../../db/client.ts';
import { importTerritories } from './territories.service.ts';
import { TerritoryIndex } from './territory-index.ts';

const feature = (code: string, parent: string | null, level: string, box: Box | null) => ({
  type: 'Feature',
  geometry: box ? boxPolygon(box) : null,
  properties: { code, parent, level, name: code },
});

describe('territory index', () => {
  let database: Database;
  let drop: () => Promise<void>;
  before(async () => {
    ({ database, drop } = await freshDatabase());
    // One community whose single grid covers only its western half.
    await importTerritories(database.db, systemContext(), {
      type: 'FeatureCollection',
      features: [
        feature('C', null, 'city', [0, 0, 10, 10]),
        feature('D', 'C', 'district', [0, 0, 10, 10]),
        feature('S', 'D', 'street', [0, 0, 10, 10]),
        feature('M', 'S', 'community', [0, 0, 10, 10]),
        feature('G', 'M', 'grid', [0, 0, 5, 10]),
        feature('B', 'G', 'building', null),
      ],
    });
  });
  after(() => drop());

  it('answers with the deepest territory and falls back to coarser levels', async () => {
    const index = new TerritoryIndex(database.db);
    await index.refresh();
    assert.equal(index.size, 5, 'a building without a boundary is not indexed');
    const inGrid = index.locate(2, 5);
    assert.equal(inGrid?.territory.code, 'G');
    assert.deepEqual(inGrid?.chain.map((t) => t.code), ['C', 'D', 'S', 'M', 'G']);
    assert.equal(index.locate(7, 5)?.territory.code, 'M');
    assert.equal(index.locate(11, 5), null);
    assert.equal(index.locate(Number.NaN, 5), null);
  });

  it('notices a change made through another index (another process) once its trust has lapsed', async () => {
    const mine = new TerritoryIndex(database.db);
    await mine.refresh();
    await importTerritories(database.db, systemContext(), { type: 'FeatureCollection', features: [feature('G2', 'M', 'grid', [5, 0, 10, 10])] });
    await mine.ensureFresh(Date.now());
    assert.equal(mine.locate(7, 5)?.territory.code, 'M', 'within the freshness window the index is trusted');
    await mine.ensureFresh(Date.now() + 60_000);
    assert.equal(mine.locate(7, 5)?.territory.code, 'G2');
  });
});
