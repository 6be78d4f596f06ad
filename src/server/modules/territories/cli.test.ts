import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../../../../test/helpers/app.ts';
import { boxPolygon } from '../../../../test/helpers/factories.ts';
import type { Database } from '../../db/client.ts';
import { exportTerritoriesFile, importTerritoriesFile } from './cli.ts';

describe('territory files', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let dir: string;
  before(async () => {
    ({ database, drop } = await freshDatabase());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gz-territories-'));
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await drop();
  });

  it('imports a file (with a byte-order mark) and exports it back', async () => {
    const file = path.join(dir, 'city.geojson');
    const collection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: boxPolygon([0, 0, 1, 1]), properties: { code: 'C', parent: null, level: 'city', name: '城', households: 5 } },
        { type: 'Feature', geometry: boxPolygon([0, 0, 1, 1]), properties: { code: 'D', parent: 'C', level: 'district', name: '区', name_en: 'D' } },
      ],
    };
    fs.writeFileSync(file, '\uFEFF' + JSON.stringify(collection));
    assert.deepEqual(await importTerritoriesFile(database.db, file), { created: 2, updated: 0, total: 2 });
    const out = path.join(dir, 'out.geojson');
    assert.deepEqual(await exportTerritoriesFile(database.db, out, 'D'), { total: 1 });
    const exported = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.deepEqual(exported.features[0].properties, { code: 'D', parent: 'C', level: 'district', name: '区', name_en: 'D' });
    assert.deepEqual(await importTerritoriesFile(database.db, out), { created: 0, updated: 1, total: 1 });
  });

  it('says clearly when a file is missing or not JSON', async () => {
    await assert.rejects(importTerritoriesFile(database.db, path.join(dir, 'nope.geojson')), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'bad_request');
      assert.match(e.message, /does not exist/);
      return true;
    });
    const bad = path.join(dir, 'bad.geojson');
    fs.writeFileSync(bad, '{"type": "FeatureCollection", ');
    await assert.rejects(importTerritoriesFile(database.db, bad), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'import_rejected');
      assert.match(e.message, /bad\.geojson is not valid JSON .*nothing was imported/);
      return true;
    });
  });
});
