import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, organisation, smallCity } from '../../../../test/helpers/factories.ts';
import type { Db } from '../../db/client.ts';
import type { Metric } from '../statistics/metrics.ts';
import { recordMetrics } from '../statistics/record-metrics.ts';
import { foldRollups } from '../statistics/rollups.service.ts';
import { resolvePeriod } from './hotspots.service.ts';

const G1 = '440300.D1.D1S1.D1S1C1.D1S1C1G1';
const G2 = '440300.D1.D1S1.D1S1C2.D1S1C2G1';
const G3 = '440300.D2.D2S1.D2S1C1.D2S1C1G1';

/** Appends deltas as case changes would, one call per day, at 10:00 Shanghai. */
async function record(db: Db, path: string, category: string, day: string, counts: Partial<Record<Metric, number>>) {
  await recordMetrics(
    db,
    { actor: null, now: new Date(`${day}T10:00:00+08:00`) },
    { territoryPath: path, organisationId: null, categoryCode: category, channel: 'hotline' },
    Object.entries(counts).map(([metric, n]) => ({ metric: metric as Metric, n })),
  );
}

describe('hotspots and 每月一题', () => {
  let t: TestContext;
  const cookies: Record<string, string> = {};

  before(async () => {
    t = await createTestApp(); // the clock stands at 2026-11-23 10:00 Shanghai
    await smallCity(t.db);
    await organisation(t.db, { code: 'ENF-D1S1', territoryCode: 'D1S1', type: 'street_enforcement' });
    await account(t.db, { username: 'admin', role: 'admin', territoryCode: '440300' });
    await account(t.db, { username: 'leader1', role: 'leader', territoryCode: 'D1' });
    await account(t.db, { username: 'worker1', role: 'community_worker', territoryCode: 'D1S1C1' });
    await account(t.db, { username: 'handler1', role: 'handler', organisationCode: 'ENF-D1S1' });
    for (const name of ['admin', 'leader1', 'worker1', 'handler1']) cookies[name] = await login(t.app, name);

    // September 2026 (30 days), the period before October.
    await record(t.db, G1, 'garbage_collection', '2026-09-10', { received: 2 });
    await record(t.db, G2, 'streetlight', '2026-09-05', { received: 6 });
    await record(t.db, G3, 'illegal_parking', '2026-09-20', { received: 10 });
    // October 2026 (31 days).
    for (const day of ['2026-10-02', '2026-10-09', '2026-10-16']) await record(t.db, G1, 'garbage_collection', day, { received: 2 });
    await record(t.db, G1, 'garbage_collection', '2026-10-20', { reopened: 2, rated: 4, unsatisfied: 2, satisfied: 2 });
    await record(t.db, G2, 'garbage_collection', '2026-10-03', { received: 1 });
    await record(t.db, G2, 'streetlight', '2026-10-12', { received: 3, rated: 3, unsatisfied: 3 });
    await record(t.db, G1, 'construction_noise', '2026-10-30', { received: 2 });
    await record(t.db, G3, 'illegal_parking', '2026-10-25', { received: 10 });
    // Outside both periods: August and November.
    await record(t.db, G1, 'garbage_collection', '2026-08-31', { received: 50 });
    await record(t.db, G1, 'garbage_collection', '2026-11-01', { received: 50 });
    await foldRollups(t.db);
  });
  after(() => t.close());

  const get = (who: string | null, url: string) => t.app.inject({ method: 'GET', url: `/api/v1/hotspots${url}`, headers: who ? { cookie: cookies[who]! } : {} });

  it('resolves months, quarters and weeks, and stops the current period at today', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    assert.deepEqual(resolvePeriod('month', '2026-10', now), {
      kind: 'month',
      label: '2026-10',
      from: '2026-10-01',
      to: '2026-10-31',
      days: 31,
      previous: { from: '2026-09-01', to: '2026-09-30', days: 30 },
    });
    assert.deepEqual(resolvePeriod('month', '2026-01', now).previous, { from: '2025-12-01', to: '2025-12-31', days: 31 });
    const current = resolvePeriod('month', undefined, now);
    assert.equal(current.label, '2026-11');
    assert.equal(current.to, '2026-11-23');
    assert.equal(current.days, 23);
    const quarter = resolvePeriod('quarter', '2026-Q4', now);
    assert.deepEqual([quarter.from, quarter.to, quarter.previous.from, quarter.previous.to], ['2026-10-01', '2026-11-23', '2026-07-01', '2026-09-30']);
    const week = resolvePeriod('week', '2026-10-14', now);
    assert.deepEqual([week.label, week.from, week.to, week.previous.from], ['2026-W42', '2026-10-12', '2026-10-18', '2026-10-05']);
    assert.equal(resolvePeriod('week', '2026-01-01', now).label, '2026-W01');
    assert.throws(() => resolvePeriod('month', '2026-12', now), /not begun/);
    assert.throws(() => resolvePeriod('month', '2026-13', now), /YYYY-MM/);
    assert.throws(() => resolvePeriod('quarter', '2026-10', now), /YYYY-Qn/);
  });

  it('recurring problems by category × child territory, with the trend against the month before', async () => {
    const res = await get('leader1', '/?territory=D1S1&period=month&date=2026-10');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.breakdown, 'children');
    assert.equal(body.period.label, '2026-10');
    assert.equal(body.total, 3, 'the single garbage case in C2 is not recurring');
    const rows = body.items.map((i: { node: { code: string }; category: { code: string }; received: number; trend: { previousReceived: number; growth: number | null; direction: string } }) => [
      i.node.code,
      i.category.code,
      i.received,
      i.trend.previousReceived,
      i.trend.growth,
      i.trend.direction,
    ]);
    assert.deepEqual(rows, [
      ['D1S1C1', 'garbage_collection', 6, 2, 1.9032, 'up'], // (6/31) ÷ (2/30) − 1
      ['D1S1C2', 'streetlight', 3, 6, -0.5161, 'down'],
      ['D1S1C1', 'construction_noise', 2, 0, null, 'new'],
    ]);
    const garbage = body.items[0];
    assert.deepEqual(
      { reopened: garbage.reopened, rated: garbage.rated, unsatisfied: garbage.unsatisfied, reopenRate: garbage.reopenRate, dissatisfactionRate: garbage.dissatisfactionRate },
      { reopened: 2, rated: 4, unsatisfied: 2, reopenRate: 0.3333, dissatisfactionRate: 0.5 },
    );
    assert.equal(garbage.category.nameZh, '垃圾清运不及时');
    assert.equal(garbage.category.groupNameZh, '市容环卫');
    assert.equal(garbage.trend.change, 4);
  });

  it('breaks the city down by district, filters a category, and a community by itself', async () => {
    const city = (await get('admin', '/?date=2026-10&min=1')).json();
    assert.equal(city.territory.code, '440300', 'the city by default');
    const find = (code: string, category: string) => city.items.find((i: { node: { code: string }; category: { code: string } }) => i.node.code === code && i.category.code === category);
    assert.equal(find('D1', 'garbage_collection').received, 7);
    assert.equal(find('D2', 'illegal_parking').received, 10);
    assert.deepEqual([find('D2', 'illegal_parking').trend.growth, find('D2', 'illegal_parking').trend.direction], [-0.0323, 'flat'], '10 in 31 days after 10 in 30');

    const only = (await get('admin', '/?territory=D1&date=2026-10&category=streetlight')).json();
    assert.deepEqual(only.items.map((i: { node: { code: string }; received: number }) => [i.node.code, i.received]), [['D1S1', 3]]);

    const community = await get('worker1', '/?territory=D1S1C1&date=2026-10');
    assert.equal(community.statusCode, 200, community.body);
    assert.equal(community.json().breakdown, 'self');
    assert.deepEqual(community.json().items.map((i: { node: { code: string }; category: { code: string } }) => [i.node.code, i.category.code]), [
      ['D1S1C1', 'garbage_collection'],
      ['D1S1C1', 'construction_noise'],
    ]);

    const quarter = (await get('admin', '/?territory=D1S1&period=quarter&date=2026-Q4')).json();
    assert.equal(quarter.items.find((i: { category: { code: string } }) => i.category.code === 'garbage_collection').received, 56, 'October and November so far');
    const week = (await get('admin', '/?territory=D1S1&period=week&date=2026-10-14&min=1')).json();
    assert.deepEqual(week.items.map((i: { category: { code: string }; received: number }) => [i.category.code, i.received]), [
      ['streetlight', 3],
      ['garbage_collection', 2],
    ]);
  });

  it('ranks the monthly topic candidates by the documented score', async () => {
    const res = await get('leader1', '/monthly-topics?territory=D1S1&minVolume=2');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.period.label, '2026-10', 'the last complete month by default');
    assert.deepEqual(body.scoring.weights, { volume: 0.4, growth: 0.2, reopen: 0.2, dissatisfaction: 0.2 });
    const ranking = body.items.map((i: { rank: number; category: { code: string }; score: number; components: object }) => [i.rank, i.category.code, i.score, i.components]);
    assert.deepEqual(ranking, [
      // volume 7/7, growth capped at 1, reopen 2/7, dissatisfaction 2/(4+2)
      [1, 'garbage_collection', 0.7238, { volume: 1, growth: 1, reopen: 0.2857, dissatisfaction: 0.3333 }],
      // new this month: growth 1
      [2, 'construction_noise', 0.3143, { volume: 0.2857, growth: 1, reopen: 0, dissatisfaction: 0 }],
      // fewer than before, but every rating unhappy: 3/(3+2)
      [3, 'streetlight', 0.2914, { volume: 0.4286, growth: 0, reopen: 0, dissatisfaction: 0.6 }],
    ]);
    assert.deepEqual(body.items[0].hotspots.map((h: { node: { code: string }; received: number }) => [h.node.code, h.received]), [
      ['D1S1C1', 6],
      ['D1S1C2', 1],
    ]);
    assert.equal((await get('leader1', '/monthly-topics?territory=D1S1&minVolume=3')).json().total, 2, 'construction noise has too few cases');
    assert.equal((await get('leader1', '/monthly-topics?territory=D1S1&limit=1')).json().items.length, 1);
  });

  it('is for statistics readers within their scope', async () => {
    assert.equal((await get(null, '/?territory=D1S1')).statusCode, 401);
    assert.equal((await get('handler1', '/?territory=D1S1')).statusCode, 403);
    assert.equal((await get('worker1', '/?territory=D1S1')).statusCode, 403, 'a community worker sees only the community');
    assert.equal((await get('leader1', '/monthly-topics?territory=D2')).statusCode, 403);
    assert.equal((await get('admin', '/?territory=NOPE')).statusCode, 404);
    assert.equal((await get('admin', '/?territory=D1S1C1G1')).statusCode, 400, 'grids are below the rollups');
    assert.equal((await get('admin', '/?date=2027-01')).statusCode, 400);
    assert.equal((await get('admin', '/?period=year')).statusCode, 400);
    assert.equal((await get('admin', '/monthly-topics?month=2026-1')).statusCode, 400);
  });
});
