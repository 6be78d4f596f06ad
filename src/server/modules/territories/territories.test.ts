import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, boxPolygon, login, organisation, smallCity, type Box } from '../../../../test/helpers/factories.ts';
import { systemContext } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { events, organisations, roleGrants, territories } from '../../db/schema.ts';
import { exportTerritories, importTerritories } from './territories.service.ts';

type Props = { code: string; parent: string | null; level: string; name?: string; households?: number };
function feature(p: Props, geometry: Box | null | Record<string, unknown>) {
  return {
    type: 'Feature',
    geometry: Array.isArray(geometry) ? boxPolygon(geometry) : geometry,
    properties: { name: p.code, ...p },
  };
}
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

describe('territories', () => {
  let t: TestContext;
  let admin: string;
  let adminD2: string;
  let leader: string;
  let worker: string;

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, cookie?: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1/territories${url}`, ...(cookie ? { headers: { cookie } } : {}), ...(payload === undefined ? {} : { payload: payload as object }) });
  /** Row count and a checksum of every column of every territory. */
  const snapshot = async () =>
    (await queryRows<{ n: number; sum: string }>(t.db, sql`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t.code), '')) as sum from territories t`))[0];
  const pathOf = async (code: string) => (await t.db.select({ path: territories.path }).from(territories).where(eq(territories.code, code)))[0]?.path;

  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    await account(t.db, { username: 'admin', role: 'admin', territoryCode: '440300' });
    await account(t.db, { username: 'admin-d2', role: 'admin', territoryCode: 'D2' });
    await account(t.db, { username: 'leader', role: 'leader', territoryCode: 'D1' });
    await account(t.db, { username: 'worker', role: 'community_worker', territoryCode: 'D1S1C1' });
    // Factories write rows directly, without bumping the territory version.
    await t.app.deps.territoryIndex.refresh();
    admin = await login(t.app, 'admin');
    adminD2 = await login(t.app, 'admin-d2');
    leader = await login(t.app, 'leader');
    worker = await login(t.app, 'worker');
  });
  after(() => t.close());

  it('locates a point in its grid with the ancestors, root first, and refuses points outside', async () => {
    const res = await inject('GET', '/locate?lon=113.95&lat=22.6');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().territory.code, 'D1S1C1G1');
    assert.deepEqual(
      res.json().chain.map((c: { code: string }) => c.code),
      ['440300', 'D1', 'D1S1', 'D1S1C1', 'D1S1C1G1'],
    );
    const outside = await inject('GET', '/locate?lon=120&lat=30');
    assert.equal(outside.statusCode, 422);
    assert.equal(outside.json().error.code, 'out_of_area');
    for (const bad of ['lon=abc&lat=22.6', 'lon=200&lat=22.6', 'lat=22.6']) {
      const r = await inject('GET', `/locate?${bad}`);
      assert.equal(r.statusCode, 400, bad);
      assert.equal(r.json().error.code, 'validation_failed');
    }
  });

  it('lists children publicly and serves map boundaries without figures', async () => {
    const roots = await inject('GET', '/');
    assert.deepEqual(roots.json().map((r: { code: string }) => r.code), ['440300']);
    const kids = await inject('GET', '/?parent=D1S1');
    assert.deepEqual(kids.json().map((r: { code: string }) => r.code), ['D1S1C1', 'D1S1C2']);
    assert.deepEqual(kids.json()[0].centroid, { lon: 113.975, lat: 22.65 });
    assert.equal((await inject('GET', '/?parent=NOPE')).statusCode, 404);
    await t.db.update(territories).set({ households: 321 }).where(eq(territories.code, 'D1S1C1'));
    const map = await inject('GET', '/geojson?root=D1&level=community');
    assert.equal(map.statusCode, 200);
    assert.deepEqual(map.json().features.map((f: { id: string }) => f.id), ['D1S1C1', 'D1S1C2']);
    assert.equal(map.json().features[0].geometry.type, 'Polygon');
    assert.equal(map.json().features[0].properties.households, undefined);
  });

  it('shows details only within the reader’s scope', async () => {
    assert.equal((await inject('GET', '/D1S1C1')).statusCode, 401);
    const own = await inject('GET', '/D1S1C1', worker);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().households, 321);
    assert.equal(own.json().parentCode, 'D1S1');
    const other = await inject('GET', '/D1S1C2', worker);
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().error.code, 'forbidden');
    assert.equal((await inject('GET', '/D1S1C1', leader)).statusCode, 200);
    assert.equal((await inject('GET', '/D1S1C2', leader)).statusCode, 200);
    assert.equal((await inject('GET', '/D2S1C1', leader)).statusCode, 403);
    assert.equal((await inject('GET', '/NOPE', leader)).statusCode, 404);
  });

  const d3 = () =>
    collection(
      // Children before parents on purpose: order in the file does not matter.
      feature({ code: 'D3S1C1G1B1', parent: 'D3S1C1G1', level: 'building' }, null),
      feature({ code: 'D3S1C1G1', parent: 'D3S1C1', level: 'grid' }, [114.5, 22.4, 114.8, 22.9]),
      feature({ code: 'D3S1C1', parent: 'D3S1', level: 'community', households: 900 }, [114.5, 22.4, 114.8, 22.9]),
      feature({ code: 'D3S1', parent: 'D3', level: 'street' }, [114.5, 22.4, 114.8, 22.9]),
      feature({ code: 'D3', parent: '440300', level: 'district' }, [114.5, 22.4, 114.8, 22.9]),
      feature({ code: '440300', parent: null, level: 'city', name: '深圳市' }, [113.9, 22.4, 114.8, 22.9]),
    );

  it('imports a new district, updates on re-import, and locate sees it at once', async () => {
    const before = await inject('GET', '/locate?lon=114.6&lat=22.6');
    assert.equal(before.statusCode, 422);
    const first = await inject('POST', '/import', admin, d3());
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { created: 5, updated: 1, total: 6 });
    const again = await inject('POST', '/import', admin, d3());
    assert.deepEqual(again.json(), { created: 0, updated: 6, total: 6 });
    const [grid] = await t.db.select().from(territories).where(eq(territories.code, 'D3S1C1G1'));
    assert.equal(grid!.path, '440300.D3.D3S1.D3S1C1.D3S1C1G1');
    assert.equal(grid!.depth, 4);
    assert.ok(Math.abs(grid!.centroidLon! - 114.65) < 1e-9 && Math.abs(grid!.centroidLat! - 22.65) < 1e-9);
    const located = await inject('GET', '/locate?lon=114.6&lat=22.6');
    assert.equal(located.statusCode, 200, located.body);
    assert.equal(located.json().territory.code, 'D3S1C1G1');
    const logged = await t.db.select().from(events).where(eq(events.action, 'territory.imported'));
    assert.equal(logged.length, 2);
    assert.deepEqual(logged[1]!.data, { created: 0, updated: 6 });
    assert.equal(logged[0]!.actorId !== null, true);
  });

  it('rejects a file with bad features, naming each, and changes nothing', async () => {
    const snap = await snapshot();
    const eventCount = (await t.db.select().from(events)).length;
    const file = collection(
      feature({ code: 'D1S1C1G2', parent: 'D1S1C1', level: 'grid' }, [113.9, 22.4, 113.95, 22.5]),
      feature({ code: 'P1', parent: 'D1S1C1', level: 'grid' }, { type: 'Point', coordinates: [113.95, 22.45] }),
      feature({ code: 'X1', parent: 'NOPE', level: 'community' }, [113.9, 22.4, 113.95, 22.5]),
      feature({ code: 'D1S1C1G2', parent: 'D1S1C1', level: 'grid' }, [113.9, 22.4, 113.95, 22.5]),
      feature({ code: 'D1S1C1G3', parent: 'D1S1C1', level: 'grid' }, [114.1, 22.5, 114.15, 22.6]),
      feature({ code: 'W1', parent: 'D1S1', level: 'grid' }, [113.9, 22.4, 113.95, 22.5]),
      feature({ code: 'R1', parent: 'D1S1C1', level: 'grid' }, { type: 'Polygon', coordinates: [[[113.9, 22.4], [113.95, 22.4], [113.95, 22.5], [113.9, 22.5]]] }),
      feature({ code: 'bad code!', parent: 'D1S1C1', level: 'grid' }, [113.9, 22.4, 113.95, 22.5]),
      feature({ code: 'D1S1C1G2B1', parent: 'D1S1C1G2', level: 'building' }, null),
      feature({ code: 'C9', parent: 'D1S1', level: 'community' }, null),
      feature({ code: 'F1', parent: 'D1S1C1', level: 'grid' }, { type: 'Polygon', coordinates: [[[113.9, 22.4], [113.95, Infinity], [113.95, 22.5], [113.9, 22.4]]] }),
      { type: 'Feature', geometry: null },
    );
    const res = await inject('POST', '/import', admin, file);
    assert.equal(res.statusCode, 422, res.body);
    const error = res.json().error;
    assert.equal(error.code, 'import_rejected');
    assert.equal(error.message, '10 features rejected; nothing was imported.');
    const byField = Object.fromEntries(error.details.map((d: { field: string; message: string }) => [d.field, d.message]));
    assert.deepEqual(Object.keys(byField), [1, 2, 3, 4, 5, 6, 7, 9, 10, 11].map((i) => `features/${i}`));
    assert.match(byField['features/1'], /^P1: geometry is Point; only Polygon and MultiPolygon/);
    assert.match(byField['features/2'], /^X1: unknown parent NOPE/);
    assert.match(byField['features/3'], /^D1S1C1G2: duplicate code \(first at features\/0\)/);
    assert.match(byField['features/4'], /^D1S1C1G3: lies outside its parent D1S1C1/);
    assert.match(byField['features/5'], /^W1: a grid cannot be under street D1S1; its parent must be a community/);
    assert.match(byField['features/6'], /^R1: ring 1 is not closed/);
    assert.match(byField['features/7'], /^bad code!: code must be/);
    assert.match(byField['features/9'], /^C9: geometry is missing; only a building may have none/);
    // JSON cannot carry Infinity: it arrives as null, which is not a finite number either.
    assert.match(byField['features/10'], /^F1: ring 1 position 2 has a coordinate that is not a finite number/);
    assert.match(byField['features/11'], /^#11: properties are missing/);

    const notJson = await t.app.inject({
      method: 'POST',
      url: '/api/v1/territories/import',
      headers: { cookie: admin, 'content-type': 'application/json' },
      payload: '{"type": "FeatureCollection", "features": [',
    });
    assert.equal(notJson.statusCode, 422, notJson.body);
    assert.equal(notJson.json().error.code, 'import_rejected');
    assert.match(notJson.json().error.message, /not valid JSON/);
    const notCollection = await inject('POST', '/import', admin, { type: 'Feature', geometry: null, properties: {} });
    assert.equal(notCollection.statusCode, 422);
    assert.match(notCollection.json().error.message, /not a GeoJSON FeatureCollection/);

    assert.deepEqual(await snapshot(), snap);
    assert.equal((await t.db.select().from(events)).length, eventCount);
  });

  it('lets only administrators import, and only within their scope', async () => {
    const good = feature({ code: 'D2S1C1G2', parent: 'D2S1C1', level: 'grid' }, [114.45, 22.8, 114.5, 22.9]);
    assert.equal((await inject('POST', '/import', undefined, collection(good))).statusCode, 401);
    assert.equal((await inject('POST', '/import', worker, collection(good))).statusCode, 403);
    const snap = await snapshot();
    const mixed = await inject('POST', '/import', adminD2, collection(good, feature({ code: 'D1S1C1G9', parent: 'D1S1C1', level: 'grid' }, [113.9, 22.8, 113.95, 22.9])));
    assert.equal(mixed.statusCode, 422);
    assert.deepEqual(mixed.json().error.details, [{ field: 'features/1', message: 'D1S1C1G9: outside your scope' }]);
    assert.deepEqual(await snapshot(), snap);
    const ok = await inject('POST', '/import', adminD2, collection(good));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { created: 1, updated: 0, total: 1 });
  });

  it('exports GeoJSON that imports back unchanged, here and into an empty database', async () => {
    assert.equal((await inject('GET', '/export?root=D1', worker)).statusCode, 403);
    const sub = await inject('GET', '/export?root=D1', leader);
    assert.equal(sub.statusCode, 200);
    assert.equal(sub.json().features[0].properties.code, 'D1');
    assert.equal(sub.json().features[0].properties.parent, '440300');
    const whole = await inject('GET', '/export', admin);
    const exported = whole.json();
    assert.equal(exported.features.length, (await snapshot())!.n);
    const back = await inject('POST', '/import', admin, exported);
    assert.deepEqual(back.json(), { created: 0, updated: exported.features.length, total: exported.features.length });
    assert.deepEqual((await inject('GET', '/export', admin)).json(), exported);

    const other = await createTestApp();
    try {
      const result = await importTerritories(other.db, systemContext(), exported);
      assert.deepEqual(result, { created: exported.features.length, updated: 0, total: exported.features.length });
      assert.deepEqual(JSON.parse(JSON.stringify(await exportTerritories(other.db))), exported);
    } finally {
      await other.close();
    }
  });

  it('moves a community to another street, rewriting every path below it and the scopes that copy them', async () => {
    await organisation(t.db, { code: 'C2-station', territoryCode: 'D1S1C2', type: 'community' });
    await account(t.db, { username: 'worker2', role: 'community_worker', territoryCode: 'D1S1C2G1' });
    const worker2 = await login(t.app, 'worker2');
    const res = await inject(
      'POST',
      '/import',
      admin,
      collection(
        feature({ code: 'D1S1C2', parent: 'D1S2', level: 'community', name: '东社区' }, [114.05, 22.4, 114.2, 22.9]),
        feature({ code: 'D1S2', parent: 'D1', level: 'street', name: '二街道' }, [114.05, 22.4, 114.2, 22.9]),
      ),
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { created: 1, updated: 1, total: 2 });
    assert.equal(await pathOf('D1S1C2'), '440300.D1.D1S2.D1S1C2');
    assert.equal(await pathOf('D1S1C2G1'), '440300.D1.D1S2.D1S1C2.D1S1C2G1');
    assert.equal(await pathOf('D1S1C1G1'), '440300.D1.D1S1.D1S1C1.D1S1C1G1');
    const [org] = await t.db.select().from(organisations).where(eq(organisations.code, 'C2-station'));
    assert.equal(org!.territoryPath, '440300.D1.D1S2.D1S1C2');
    const grants = await t.db.select().from(roleGrants).where(eq(roleGrants.scopePath, '440300.D1.D1S2.D1S1C2.D1S1C2G1'));
    assert.equal(grants.length, 1);
    assert.equal((await inject('GET', '/D1S1C2G1', worker2)).statusCode, 200);
    const located = await inject('GET', '/locate?lon=114.1&lat=22.6');
    assert.deepEqual(
      located.json().chain.map((c: { code: string }) => c.code),
      ['440300', 'D1', 'D1S2', 'D1S1C2', 'D1S1C2G1'],
    );
  });

  it('lets an administrator change names and figures, and records it', async () => {
    assert.equal((await inject('PATCH', '/D1S1C1', worker, { households: 1 })).statusCode, 403);
    assert.equal((await inject('PATCH', '/D1S1C1', admin, {})).statusCode, 400);
    const res = await inject('PATCH', '/D1S1C1', admin, { households: 1200, nameEn: 'West' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().households, 1200);
    assert.equal(res.json().nameEn, 'West');
    const [event] = await t.db.select().from(events).where(eq(events.action, 'territory.updated'));
    assert.deepEqual(event!.data, { households: { from: 321, to: 1200 }, nameEn: { from: null, to: 'West' } });
    const located = await inject('GET', '/locate?lon=113.95&lat=22.6');
    assert.equal(located.json().chain[3].nameEn, 'West');
  });
});
