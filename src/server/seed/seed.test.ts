import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import type { Polygon } from 'geojson';
import { createTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { login } from '../../../test/helpers/factories.ts';
import { districts } from '../data/shenzhen.ts';
import type { Executor } from '../db/client.ts';
import { accounts, organisations, roleGrants, territories } from '../db/schema.ts';
import { TerritoryIndex } from '../modules/territories/territory-index.ts';
import { roles } from '../policy/index.ts';
import { buildCityModel } from './city.ts';
import { demoAccounts, demoPassword } from './demo-accounts.ts';
import { mulberry32 } from '../lib/random.ts';
import { clipToConvex, insideConvex, openRing, ringArea, ringCentroid, sampleSites, splitConvex, toPolygon, voronoiCells, type Ring } from './geometry.ts';
import { districtBureauTypes, orgCode, partyCode } from './organisations.ts';
import { isSeeded, readSeedInfo, seedCity, type SeedResult } from './seed.ts';

async function tableCounts(db: Executor) {
  const count = async (table: typeof territories | typeof organisations | typeof accounts | typeof roleGrants) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
  return { territories: await count(territories), organisations: await count(organisations), accounts: await count(accounts), grants: await count(roleGrants) };
}

describe('demo city seed', () => {
  let t: TestContext;
  let first: SeedResult;
  before(async () => {
    t = await createTestApp();
    assert.equal(await isSeeded(t.db), false);
    first = await seedCity({ db: t.db, scale: 'demo' });
  });
  after(() => t.close());

  it('has the 10 districts and the 74 real streets', async () => {
    const rows = await t.db.select().from(territories);
    const byLevel = (level: string) => rows.filter((r) => r.level === level);
    assert.equal(byLevel('city').length, 1);
    assert.deepEqual(byLevel('district').map((r) => r.nameZh).sort(), districts.map((d) => d.zh).sort());
    const streets = districts.flatMap((d) => d.streets.map((s) => `${s.zh}街道`));
    assert.equal(streets.length, 74);
    assert.deepEqual(byLevel('street').map((r) => r.nameZh).sort(), streets.sort());
    assert.equal(byLevel('community').length, 148);
    const qiaoxiang = rows.find((r) => r.code === '440304005001');
    assert.equal(qiaoxiang?.nameZh, '侨香社区');
    assert.equal(qiaoxiang?.path, '440300.440304.440304005.440304005001');
    assert.ok(byLevel('grid').length >= 3 * 148 && byLevel('grid').length <= 4 * 148);
    assert.equal(rows.length, first.territories);
  });

  it('locates every grid centroid in that grid, inside its community', async () => {
    const index = new TerritoryIndex(t.db);
    await index.refresh();
    const grids = await t.db.select().from(territories).where(eq(territories.level, 'grid'));
    for (const grid of grids) {
      const [lon, lat] = ringCentroid(openRing((grid.boundary as Polygon).coordinates[0]!));
      const found = index.locate(lon, lat);
      assert.equal(found?.territory.code, grid.code, `centroid of ${grid.code}`);
      assert.equal(found.chain.at(-2)?.level, 'community');
      assert.ok(grid.path.startsWith(found.chain.at(-2)!.path + '.'));
    }
  });

  it('creates government units at every level and the party tree', async () => {
    const rows = await t.db.select().from(organisations);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    assert.deepEqual([...new Set(rows.map((r) => r.kind))].sort(), ['government', 'party']);
    for (const type of [...districtBureauTypes, 'hotline_center']) assert.ok(byCode.has(orgCode('440304', type)), type);
    assert.equal(byCode.get(orgCode('440304', 'urban_mgmt'))?.nameZh, '福田区城市管理和综合执法局');
    assert.equal(byCode.get(orgCode('440304005', 'street_enforcement'))?.nameZh, '香蜜湖街道综合行政执法队');
    assert.equal(byCode.get(orgCode('440304005001', 'community'))?.nameZh, '侨香社区工作站');
    assert.equal(byCode.get(orgCode('440300', 'hotline_center'))?.territoryPath, '440300');
    // 社区党委 → 街道党工委 → 区委 → 市委, with two branches under each community committee.
    const committee = byCode.get(partyCode('440304005001'))!;
    assert.equal(committee.nameZh, '侨香社区党委');
    const chain = [committee];
    while (chain.at(-1)!.parentId) chain.push(rows.find((r) => r.id === chain.at(-1)!.parentId)!);
    assert.deepEqual(chain.map((o) => o.type), ['party_committee', 'working_committee', 'party_committee', 'party_committee']);
    assert.equal(committee.hostOrganisationId, byCode.get(orgCode('440304005001', 'community'))!.id);
    assert.equal(rows.filter((r) => r.parentId === committee.id && r.type === 'branch').length, 2);
    assert.equal(rows.length, first.organisations);
  });

  it('gives every role a demo account that can sign in with the demo password', async () => {
    assert.deepEqual([...new Set(demoAccounts.map((a) => a.role))].sort(), [...roles].sort());
    for (const a of demoAccounts) {
      const cookie = await login(t.app, a.username, demoPassword);
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
      assert.equal(me.statusCode, 200, me.body);
      const grant = me.json().grants.find((g: { role: string }) => g.role === a.role);
      assert.ok(grant, `${a.username} holds ${a.role}`);
      assert.ok(grant.scopePath.endsWith(a.territoryCode), `${a.username} scoped to ${a.territoryCode}`);
    }
    await login(t.app, '13800138000', demoPassword);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = await tableCounts(t.db);
    const info = await readSeedInfo(t.db);
    assert.equal(info?.scale, 'demo');
    const again = await seedCity({ db: t.db, scale: 'demo' });
    assert.deepEqual({ ...again, ms: 0 }, { ...first, ms: 0 });
    assert.deepEqual(await tableCounts(t.db), before);
    assert.deepEqual(await readSeedInfo(t.db), info);
    assert.equal(await isSeeded(t.db), true);
  });

  it('refuses to mix scales in one database', async () => {
    await assert.rejects(seedCity({ db: t.db, scale: 'city' }), (err: { code?: string }) => err.code === 'conflict');
  });
});

describe('synthetic geometry', () => {
  const square: Ring = [[0, 0], [1, 0], [1, 1], [0, 1]];

  it('clips a convex polygon to a convex parent', () => {
    const diamond: Ring = [[0.5, -0.5], [1.5, 0.5], [0.5, 1.5], [-0.5, 0.5]];
    const clipped = clipToConvex(diamond, square);
    assert.ok(Math.abs(ringArea(clipped) - 1) < 1e-12, 'the diamond covers the square');
    const half = clipToConvex([[0.5, -1], [2, -1], [2, 2], [0.5, 2]], square);
    assert.ok(Math.abs(ringArea(half) - 0.5) < 1e-12);
    assert.equal(clipToConvex([[2, 2], [3, 2], [3, 3]], square).length, 0);
  });

  it('tiles a parent with cells that contain their sites', () => {
    const rng = mulberry32(7);
    const sites = sampleSites(square, 25, rng);
    const cells = voronoiCells(sites, square);
    cells.forEach((cell, i) => assert.ok(insideConvex(cell, sites[i]!), `cell ${i} holds its site`));
    const total = cells.reduce((a, c) => a + ringArea(c), 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `cells cover the parent (${total})`);
    for (const cell of splitConvex(square, 12, rng)) assert.ok(insideConvex(square, ringCentroid(cell)));
  });

  it('writes closed counter-clockwise rings rounded to 6 decimals (turning clockwise input)', () => {
    const polygon = toPolygon([[0.1234567, 0], [0, 1], [1, 1.00000049]]);
    const ring = polygon.coordinates[0]!;
    assert.deepEqual(ring[0], ring.at(-1));
    assert.equal(ring.length, 4);
    assert.deepEqual([...ring.slice(0, 3)].sort(), [[0, 1], [0.123457, 0], [1, 1]]);
    let signed = 0;
    for (let i = 0; i + 1 < ring.length; i++) signed += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
    assert.ok(signed > 0, 'counter-clockwise');
  });

  it('builds the same city every time, and the city scale at full size', () => {
    const a = buildCityModel('demo');
    const b = buildCityModel('demo');
    assert.deepEqual(a, b);
    const full = buildCityModel('city');
    const communities = full.territories.filter((x) => x.level === 'community').length;
    const grids = full.territories.filter((x) => x.level === 'grid').length;
    assert.equal(communities, 676);
    assert.ok(grids > 14_000 && grids < 16_000, `${grids} grids`);
  });
});
