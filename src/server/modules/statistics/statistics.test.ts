import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, organisation, smallCity } from '../../../../test/helpers/factories.ts';
import { queryRows, type Db } from '../../db/client.ts';
import { categories, rollupCategory, rollupChannel, rollupDeltas, rollupTerritory, rollupUnit } from '../../db/schema.ts';
import type { Metric } from './metrics.ts';
import { recordMetrics } from './record-metrics.ts';
import { foldRollups, vacuumDeltaQueue } from './rollups.service.ts';

const CITY = '440300';
const D1 = `${CITY}.D1`;
const S1 = `${D1}.D1S1`;
const C1 = `${S1}.D1S1C1`;
const C2 = `${S1}.D1S1C2`;
const G1 = `${C1}.D1S1C1G1`;
const G2 = `${C2}.D1S1C2G1`;
const G3 = `${CITY}.D2.D2S1.D2S1C1.D2S1C1G1`;

interface Case {
  path: string;
  org?: string | null;
  category?: string | null;
  channel?: string | null;
}

/** Appends deltas as a case change would, on a Shanghai day (10:00 local). */
async function record(db: Db, day: string, c: Case, counts: Partial<Record<Metric, number>>) {
  const deltas = Object.entries(counts).map(([metric, n]) => ({ metric: metric as Metric, n }));
  await recordMetrics(
    db,
    { actor: null, now: new Date(`${day}T10:00:00+08:00`) },
    { territoryPath: c.path, organisationId: c.org ?? null, categoryCode: c.category ?? null, channel: c.channel ?? 'hotline' },
    deltas,
  );
}

async function clearRollups(db: Db) {
  for (const table of ['rollup_deltas', 'rollup_territory', 'rollup_category', 'rollup_channel', 'rollup_unit']) {
    await db.execute(sql.raw(`delete from ${table}`));
  }
}

/** Rows in code-point order of their keys (SQL order by text follows the server's collation). */
function sorted<T>(rows: T[], key: (r: T) => string[]): T[] {
  const k = (r: T) => key(r).join('\u0000');
  return rows.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

async function territoryRows(db: Db) {
  return sorted(await db.select().from(rollupTerritory), (r) => [r.nodePath, r.day, r.metric]);
}

async function allRollups(db: Db) {
  return {
    territory: await territoryRows(db),
    category: sorted(await db.select().from(rollupCategory), (r) => [r.nodePath, r.day, r.categoryCode, r.metric]),
    channel: sorted(await db.select().from(rollupChannel), (r) => [r.nodePath, r.day, r.channel, r.metric]),
    unit: sorted(await db.select().from(rollupUnit), (r) => [r.organisationId, r.day, r.metric]),
  };
}

describe('statistics', () => {
  let t: TestContext;
  let db: Db;
  let orgC1: string;
  let orgC2: string;
  let orgD1: string;
  let orgD2: string;
  const cookies: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    db = t.db;
    await smallCity(db);
    orgC1 = (await organisation(db, { code: 'ST-C1', territoryCode: 'D1S1C1', type: 'community' })).id;
    orgC2 = (await organisation(db, { code: 'ST-C2', territoryCode: 'D1S1C2', type: 'community' })).id;
    orgD1 = (await organisation(db, { code: 'BU-D1', territoryCode: 'D1', type: 'urban_mgmt' })).id;
    orgD2 = (await organisation(db, { code: 'BU-D2', territoryCode: 'D2', type: 'urban_mgmt' })).id;
    await account(db, { username: 'admin', role: 'admin', territoryCode: CITY });
    await account(db, { username: 'leader1', role: 'leader', territoryCode: 'D1' });
    await account(db, { username: 'worker1', role: 'community_worker', territoryCode: 'D1S1C1' });
    await account(db, { username: 'dispatcher2', role: 'dispatcher', territoryCode: 'D2' });
    await account(db, { username: 'handler1', role: 'handler', organisationCode: 'ST-C1' });
    for (const name of ['admin', 'leader1', 'worker1', 'dispatcher2', 'handler1']) cookies[name] = await login(t.app, name);
  });
  after(() => t.close());

  const get = (who: string | null, url: string) => t.app.inject({ method: 'GET', url: `/api/v1/statistics${url}`, headers: who ? { cookie: cookies[who]! } : {} });

  describe('fold', () => {
    beforeEach(() => clearRollups(db));

    it('adds each delta to every ancestor node from the city to the community, and to its unit', async () => {
      const c = { path: G1, org: orgC1, category: 'streetlight', channel: 'hotline' };
      await record(db, '2026-11-02', c, { received: 1, dispatched: 1 });
      await record(db, '2026-11-02', c, { received: 1 });
      assert.deepEqual(await foldRollups(db), { deltas: 3 });

      const territory = await territoryRows(db);
      assert.deepEqual(
        territory.map((r) => [r.nodePath, r.day, r.metric, r.n]),
        [CITY, D1, S1, C1].flatMap((p) => [
          [p, '2026-11-02', 'dispatched', 1],
          [p, '2026-11-02', 'received', 2],
        ]),
        'city, district, street and community; never the grid',
      );
      // By category and channel only the metrics those views read (breakdownMetrics): no dispatched.
      const { category, channel, unit } = await allRollups(db);
      assert.deepEqual(
        category.map((r) => [r.nodePath, r.categoryCode, r.metric, r.n]),
        [CITY, D1, S1, C1].map((p) => [p, 'streetlight', 'received', 2]),
      );
      assert.deepEqual(
        channel.map((r) => [r.nodePath, r.channel, r.metric, r.n]),
        [CITY, D1, S1, C1].map((p) => [p, 'hotline', 'received', 2]),
      );
      assert.deepEqual(
        unit.map((r) => [r.organisationId, r.day, r.metric, r.n]),
        [
          [orgC1, '2026-11-02', 'dispatched', 1],
          [orgC1, '2026-11-02', 'received', 2],
        ],
      );
      const [left] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from rollup_deltas`);
      assert.equal(left!.n, 0, 'folded deltas are consumed');
    });

    it('is idempotent: a second fold with nothing new changes nothing; new deltas add on', async () => {
      const c = { path: G2, org: orgC2, category: 'noise', channel: 'app' };
      await record(db, '2026-11-03', c, { received: 1, rated: 1 });
      await foldRollups(db);
      const first = await allRollups(db);
      assert.deepEqual(await foldRollups(db), { deltas: 0 });
      assert.deepEqual(await allRollups(db), first);

      await record(db, '2026-11-03', c, { received: 1 });
      assert.deepEqual(await foldRollups(db), { deltas: 1 });
      const received = (await territoryRows(db)).filter((r) => r.metric === 'received');
      assert.deepEqual(
        received.map((r) => [r.nodePath, r.n]),
        [CITY, D1, S1, C2].map((p) => [p, 2]),
      );
    });

    it('subtracts negative deltas (a case moved to another category or unit)', async () => {
      await record(db, '2026-11-04', { path: G1, org: orgC1, category: 'noise' }, { received: 1 });
      await foldRollups(db);
      await record(db, '2026-11-04', { path: G1, org: orgC1, category: 'noise' }, { received: -1 });
      await record(db, '2026-11-04', { path: G1, org: orgD1, category: 'streetlight' }, { received: 1 });
      assert.deepEqual(await foldRollups(db), { deltas: 2 });
      const { territory, category, unit } = await allRollups(db);
      assert.ok(territory.every((r) => r.n === 1), 'the territory still counts one case');
      const byCategory = (code: string) => category.filter((r) => r.categoryCode === code && r.nodePath === C1)[0]?.n;
      assert.equal(byCategory('noise'), 0);
      assert.equal(byCategory('streetlight'), 1);
      assert.deepEqual(
        unit.map((r) => [r.organisationId, r.n]).sort(),
        [
          [orgC1, 0],
          [orgD1, 1],
        ].sort(),
      );
    });

    it('skips what a delta does not have: no category, no channel, no unit; short paths stop early', async () => {
      await db.insert(rollupDeltas).values([
        { day: '2026-11-05', territoryPath: G3, organisationId: null, categoryCode: null, channel: null, metric: 'received', n: 1 },
        { day: '2026-11-05', territoryPath: `${CITY}.D2.D2S1`, organisationId: orgD2, categoryCode: 'noise', channel: 'web', metric: 'received', n: 1 },
      ]);
      assert.deepEqual(await foldRollups(db), { deltas: 2 });
      const { territory, category, channel, unit } = await allRollups(db);
      assert.deepEqual(
        territory.map((r) => [r.nodePath, r.n]),
        [
          [CITY, 2],
          [`${CITY}.D2`, 2],
          [`${CITY}.D2.D2S1`, 2],
          [`${CITY}.D2.D2S1.D2S1C1`, 1],
        ],
      );
      assert.deepEqual(category.map((r) => r.nodePath), [CITY, `${CITY}.D2`, `${CITY}.D2.D2S1`]);
      assert.deepEqual(channel.map((r) => r.nodePath), [CITY, `${CITY}.D2`, `${CITY}.D2.D2S1`]);
      assert.deepEqual(unit.map((r) => r.organisationId), [orgD2]);
    });

    it('folds a backlog in several batches to the same sums', async () => {
      for (let i = 0; i < 7; i++) await record(db, '2026-11-06', { path: i % 2 ? G1 : G2, org: orgC1, category: 'noise' }, { received: 1, closed: 1 });
      assert.deepEqual(await foldRollups(db, { batchSize: 3 }), { deltas: 14 });
      const city = (await territoryRows(db)).filter((r) => r.nodePath === CITY);
      assert.deepEqual(city.map((r) => [r.metric, r.n]), [['closed', 7], ['received', 7]]);
    });

    it('vacuums the folded queue once enough has piled up (PGlite has no autovacuum)', async () => {
      await record(db, '2026-11-06', { path: G1 }, { received: 1 });
      await foldRollups(db);
      assert.equal(await vacuumDeltaQueue(db, Number.MAX_SAFE_INTEGER), false, 'below the threshold: nothing to do');
      assert.equal(await vacuumDeltaQueue(db, 0), true);
      await record(db, '2026-11-06', { path: G1 }, { received: 1 });
      assert.deepEqual(await foldRollups(db), { deltas: 1 }, 'the queue works on after a vacuum');
    });

    it('returns at once while another process folds, and never loses a delta committed late', async (test) => {
      // PGlite has one connection: there is no other process to hold the lock or a transaction open.
      if (t.database.engine !== 'postgres') return test.skip('needs a second connection (PostgreSQL)');
      const { default: pg } = await import('pg');
      const other = new pg.Client({ connectionString: t.database.databaseUrl });
      await other.connect();
      try {
        await record(db, '2026-11-07', { path: G1 }, { received: 1 });
        await other.query('select pg_advisory_lock($1)', [0x67_7a_72_6f]);
        assert.deepEqual(await foldRollups(db), { deltas: 0 }, 'the lock is held elsewhere');
        await other.query('select pg_advisory_unlock($1)', [0x67_7a_72_6f]);

        // A delta whose transaction is still open has the lower id but is invisible to this fold.
        await other.query('begin');
        await other.query(`insert into rollup_deltas (day, territory_path, metric, n) values ('2026-11-07', $1, 'received', 1)`, [G1]);
        await record(db, '2026-11-07', { path: G1 }, { received: 1 });
        assert.deepEqual(await foldRollups(db), { deltas: 2 });
        await other.query('commit');
        assert.deepEqual(await foldRollups(db), { deltas: 1 });
        const city = (await territoryRows(db)).find((r) => r.nodePath === CITY && r.metric === 'received');
        assert.equal(city?.n, 3);
      } finally {
        await other.end();
      }
    });
  });

  describe('reads', () => {
    before(async () => {
      await clearRollups(db);
      await db.insert(categories).values({ code: 'zz_test_named', nameZh: '测试类别', nameEn: 'Test category' }).onConflictDoNothing();
      // November at C1 (station), D1 (bureau) and D2; October at C1 for the comparison.
      const c1 = { path: G1, org: orgC1, category: 'zz_test_named', channel: 'hotline' };
      await record(db, '2026-11-02', c1, { received: 6, dispatched: 6, signed_on_time: 5, closed: 4, closed_on_time: 3, rated: 4, resolved: 3, satisfied: 2, basically_satisfied: 1, unsatisfied: 1, reopened: 1 });
      await record(db, '2026-11-20', { ...c1, channel: 'app' }, { received: 2, dispatched: 2, signed_on_time: 2 });
      const d1 = { path: G2, org: orgD1, category: 'zz_test_unnamed', channel: 'wechat' };
      await record(db, '2026-11-10', d1, { received: 2, dispatched: 1, returned: 1, overdue: 1 });
      await record(db, '2026-11-10', { path: G3, org: orgD2, category: 'zz_test_named', channel: 'hotline' }, { received: 5, dispatched: 5, signed_on_time: 5 });
      await record(db, '2026-10-15', c1, { received: 3, dispatched: 3, signed_on_time: 1, rated: 2, satisfied: 2 });
      // Deltas left for the read to fold: reads are current.
    });

    const november = 'from=2026-11-01&to=2026-11-30';

    it('KPI totals and rates of a district over a period, with the previous period', async () => {
      const res = await get('admin', `/kpi?territory=D1&${november}&compare=previous`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(body.territory, { code: 'D1', level: 'district', path: D1, nameZh: '一区', nameEn: null });
      assert.deepEqual(body.period, { from: '2026-11-01', to: '2026-11-30', days: 30 });
      assert.equal(body.totals.received, 10);
      assert.equal(body.totals.dispatched, 9);
      assert.equal(body.totals.returned, 1);
      assert.equal(body.totals.merged, 0, 'every metric is present');
      assert.deepEqual(body.rates, { responseRate: 0.7778, resolutionRate: 0.75, satisfactionRate: 0.75, onTimeRate: 0.75 });
      assert.deepEqual(body.previous.period, { from: '2026-10-02', to: '2026-10-31', days: 30 });
      assert.equal(body.previous.totals.received, 3);
      assert.deepEqual(body.previous.rates, { responseRate: 0.3333, resolutionRate: 0, satisfactionRate: 1, onTimeRate: null });

      const city = (await get('admin', `/kpi?territory=${CITY}&${november}`)).json();
      assert.equal(city.totals.received, 15);
      assert.equal(city.previous, undefined);
    });

    it('KPI rates are null where nothing was counted', async () => {
      const body = (await get('admin', '/kpi?territory=D1S1C2&from=2026-11-01&to=2026-11-09')).json();
      assert.equal(body.totals.received, 0);
      assert.deepEqual(body.rates, { responseRate: null, resolutionRate: null, satisfactionRate: null, onTimeRate: null });
    });

    it('KPI defaults: the city (or the caller’s own territory) and this Shanghai month to date', async () => {
      const admin = (await get('admin', '/kpi')).json();
      assert.equal(admin.territory.code, CITY);
      assert.deepEqual(admin.period, { from: '2026-11-01', to: '2026-11-23', days: 23 });
      assert.equal(admin.totals.received, 15);
      const worker = (await get('worker1', '/kpi')).json();
      assert.equal(worker.territory.code, 'D1S1C1');
      assert.equal(worker.totals.received, 8);
    });

    it('trend: one value per day and metric, zero where nothing happened', async () => {
      const res = await get('leader1', '/trend?territory=D1&from=2026-11-01&to=2026-11-10&metrics=received,signed_on_time');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.dates.length, 10);
      assert.equal(body.dates[0], '2026-11-01');
      assert.deepEqual(body.series, [
        { metric: 'received', values: [0, 6, 0, 0, 0, 0, 0, 0, 0, 2] },
        { metric: 'signed_on_time', values: [0, 5, 0, 0, 0, 0, 0, 0, 0, 0] },
      ]);
      const bad = await get('leader1', '/trend?territory=D1&metrics=received,nonsense');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.details[0].field, '/metrics');
    });

    it('categories: ranked by cases received, names from the catalogue where it has them', async () => {
      const body = (await get('admin', `/categories?territory=${CITY}&${november}`)).json();
      assert.equal(body.total, 2);
      assert.deepEqual(
        body.items.map((i: { code: string; nameZh: string | null; totals: { received: number } }) => [i.code, i.nameZh, i.totals.received]),
        [
          ['zz_test_named', '测试类别', 13],
          ['zz_test_unnamed', null, 2],
        ],
      );
      assert.deepEqual(body.items[0].totals, { received: 13, rated: 4, resolved: 3, satisfied: 2, basically_satisfied: 1, unsatisfied: 1, reopened: 1 });
      assert.deepEqual(body.items[0].rates, { resolutionRate: 0.75, satisfactionRate: 0.75 });
      assert.deepEqual(body.items[1].rates, { resolutionRate: null, satisfactionRate: null });
      const top = (await get('admin', `/categories?territory=${CITY}&${november}&limit=1`)).json();
      assert.equal(top.items.length, 1);
      assert.equal(top.total, 2);
    });

    it('channels: the mix with each channel’s share', async () => {
      const body = (await get('leader1', `/channels?territory=D1&${november}`)).json();
      assert.deepEqual(
        body.items.map((i: { channel: string; share: number; totals: { received: number } }) => [i.channel, i.totals.received, i.share]),
        [
          ['hotline', 6, 0.6],
          ['app', 2, 0.2],
          ['wechat', 2, 0.2],
        ],
      );
      assert.equal(body.items[0].rates.satisfactionRate, 0.75);
    });

    it('units: only units within the territory, sortable, rates per unit', async () => {
      const res = await get('leader1', `/units?territory=D1&${november}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.total, 2, 'the D2 bureau is outside D1');
      assert.deepEqual(
        body.items.map((i: { code: string; totals: { received: number } }) => [i.code, i.totals.received]),
        [
          ['ST-C1', 8],
          ['BU-D1', 2],
        ],
      );
      const station = body.items[0];
      assert.equal(station.territoryCode, 'D1S1C1');
      assert.deepEqual(station.rates, { responseRate: 0.875, resolutionRate: 0.75, satisfactionRate: 0.75, onTimeRate: 0.75 });
      assert.deepEqual(body.items[1].rates, { responseRate: 0, resolutionRate: null, satisfactionRate: null, onTimeRate: null });
      assert.equal(body.items[1].totals.returned, 1);
      assert.equal(body.items[1].totals.overdue, 1);

      const byResponse = (await get('admin', `/units?territory=${CITY}&${november}&sort=responseRate&order=asc`)).json();
      assert.deepEqual(
        byResponse.items.map((i: { code: string }) => i.code),
        ['BU-D1', 'ST-C1', 'BU-D2'],
      );
      const bySatisfaction = (await get('admin', `/units?territory=${CITY}&${november}&sort=satisfactionRate&limit=2`)).json();
      assert.deepEqual(
        bySatisfaction.items.map((i: { code: string }) => i.code),
        ['ST-C1', 'BU-D1'],
        'units without a rate come last, sorted by code',
      );
      assert.equal(bySatisfaction.total, 3);
      const community = (await get('worker1', `/units?territory=D1S1C1&${november}`)).json();
      assert.deepEqual(
        community.items.map((i: { code: string }) => i.code),
        ['ST-C1'],
      );
    });

    it('children: drill down from the city to districts, streets and communities', async () => {
      const city = (await get('admin', `/children?territory=${CITY}&${november}`)).json();
      assert.deepEqual(
        city.items.map((i: { code: string; totals: { received: number }; rates: { responseRate: number | null } }) => [i.code, i.totals.received, i.rates.responseRate]),
        [
          ['D1', 10, 0.7778],
          ['D2', 5, 1],
        ],
      );
      const street = (await get('leader1', `/children?territory=D1S1&${november}`)).json();
      assert.deepEqual(
        street.items.map((i: { code: string; level: string; totals: { received: number }; rates: { satisfactionRate: number | null } }) => [
          i.code,
          i.level,
          i.totals.received,
          i.rates.satisfactionRate,
        ]),
        [
          ['D1S1C1', 'community', 8, 0.75],
          ['D1S1C2', 'community', 2, null],
        ],
      );
      const community = (await get('worker1', `/children?territory=D1S1C1&${november}`)).json();
      assert.deepEqual(community.items, [], 'rollups stop at the community');
    });
  });

  describe('access and bad input', () => {
    const status = async (who: string | null, url: string) => (await get(who, url)).statusCode;

    it('a community worker reads their community only', async () => {
      assert.equal(await status('worker1', '/kpi?territory=D1S1C1'), 200);
      assert.equal(await status('worker1', '/kpi?territory=D1S1C2'), 403);
      assert.equal(await status('worker1', '/kpi?territory=D1'), 403);
      assert.equal(await status('worker1', '/units?territory=D1'), 403);
      assert.equal(await status('worker1', '/children?territory=D1S1'), 403);
    });

    it('a district leader reads the district and below, not the next district or the city', async () => {
      for (const path of ['/kpi', '/trend', '/categories', '/channels', '/units', '/children']) {
        assert.equal(await status('leader1', `${path}?territory=D1`), 200, path);
        assert.equal(await status('leader1', `${path}?territory=D2`), 403, path);
      }
      assert.equal(await status('leader1', '/kpi?territory=D1S1C2'), 200);
      assert.equal(await status('leader1', `/kpi?territory=${CITY}`), 403);
      assert.equal(await status('dispatcher2', '/kpi?territory=D2'), 200);
      assert.equal(await status('dispatcher2', '/kpi'), 200, 'defaults to the dispatcher’s district');
    });

    it('refuses anonymous callers, roles without statistics, unknown and too deep territories', async () => {
      assert.equal(await status(null, '/kpi'), 401);
      assert.equal(await status('handler1', '/kpi?territory=D1S1C1'), 403);
      assert.equal(await status('handler1', '/kpi'), 403);
      assert.equal(await status('admin', '/kpi?territory=NOPE'), 404);
      const grid = await get('admin', '/kpi?territory=D1S1C1G1');
      assert.equal(grid.statusCode, 400);
      assert.equal(grid.json().error.details[0].field, '/territory');
    });

    it('bad dates and over-long periods get 400 naming the field', async () => {
      const field = async (url: string) => {
        const res = await get('admin', url);
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        return res.json().error.details[0].field as string;
      };
      assert.equal(await field('/kpi?from=yesterday'), '/from');
      assert.equal(await field('/kpi?from=2026-02-30&to=2026-03-01'), '/from');
      assert.equal(await field('/kpi?from=2026-01-01&to=2026-13-01'), '/to');
      assert.equal(await field('/kpi?from=2026-11-10&to=2026-11-01'), '/to');
      assert.equal(await field('/kpi?from=2025-01-01&to=2026-11-01'), '/to');
      assert.equal(await field('/kpi?from=2024-01-01'), '/from', 'only from given: to is today');
      assert.equal(await field('/units?sort=nonsense'), '/sort');
      assert.equal(await status('admin', '/kpi?from=2025-10-01&to=2026-11-04'), 200, '400 days is allowed');
      assert.equal(await status('admin', '/kpi?from=2025-10-01&to=2026-11-05'), 400, '401 days is not');
    });
  });
});
