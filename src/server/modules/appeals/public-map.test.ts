import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp } from '../../../../test/helpers/appeal-fixture.ts';

// Around a point in 西社区 (D1S1C1), with more decimals than the map may show.
const here = { lon: 113.950321, lat: 22.600456 };
/** The point `m` metres north of `here`. */
const north = (m: number) => ({ lon: here.lon, lat: here.lat + m / 111_320 });

interface Nearby {
  center: { lon: number; lat: number };
  radius: number;
  total: number;
  items: { code: string; categoryCode: string; status: string; lon: number; lat: number; distanceM: number; place: string; createdAt: string }[];
}

describe('public map: open cases near a point', () => {
  let t: TestContext;
  let req: AppealTestApp['req'];
  const codes: Record<string, string> = {};
  const nearby = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/public/appeals/nearby?${query}` });

  before(async () => {
    ({ t, req } = await appealTestApp());
    const report = async (name: string, who: 'resident' | 'operator', body: object) => {
      const res = await req(who, 'POST', '/api/v1/appeals', body);
      assert.equal(res.statusCode, 201, res.body);
      codes[name] = res.json().code;
      return res.json().id as string;
    };
    // A hotline case with the caller's name, phone and exact address.
    await report('atPoint', 'operator', {
      text: '幸福路12号门口垃圾桶满了三天没人清运',
      categoryCode: 'garbage_collection',
      channel: 'hotline',
      location: { ...here, address: '幸福路12号3栋' },
      contactName: '李四海',
      contactPhone: '13912345678',
    });
    await report('m500', 'resident', { text: '路灯不亮，晚上走路很危险', categoryCode: 'streetlight', location: north(500) });
    await report('m1500', 'resident', { text: '人行道地砖松动翘起', categoryCode: 'road_damage', location: north(1500) });
    await report('farAway', 'resident', { text: '东边公园的大树倒了挡住路', categoryCode: 'greenery_trees', location: { lon: 114.1, lat: 22.6 } });
    await report('hidden', 'resident', { text: '楼下餐馆油烟直排', categoryCode: 'cooking_fumes', location: north(200), hideIdentity: true });
    await report('personal', 'resident', { text: '公司拖欠我三个月工资', categoryCode: 'wage_arrears', location: north(300) });
    // A case near the point that is closed: not on the map.
    const closed = await report('closed', 'resident', { text: '绿化带里堆了很多装修废料', categoryCode: 'garbage_collection', location: north(100) });
    for (const [who, action, body] of [
      ['handler', 'sign', {}],
      ['handler', 'reply', { text: '已清理装修废料并告知物业。' }],
      ['resident', 'rate', { resolution: 'resolved', satisfaction: 'satisfied' }],
    ] as const) {
      const res = await req(who, 'POST', `/api/v1/appeals/${closed}/${action}`, body);
      assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
    }
  });
  after(() => t.close());

  it('answers anonymous callers with the open cases inside the radius, nearest first', async () => {
    const res = await nearby(`lon=${here.lon}&lat=${here.lat}&radius=1000`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Nearby;
    assert.deepEqual(
      body.items.map((i) => i.code),
      [codes.atPoint, codes.m500],
      'the case at the point and the one 500 m away; not 1.5 km, not across the city, not closed, hidden or personal',
    );
    assert.equal(body.total, 2);
    assert.equal(body.radius, 1000);
    const [first, second] = body.items;
    assert.equal(first!.categoryCode, 'garbage_collection');
    assert.equal(first!.status, 'dispatched');
    assert.equal(first!.place, '一区 一街道 西社区');
    assert.ok(Math.abs(second!.distanceM - 500) <= 60, `about 500 m: ${second!.distanceM}`);

    const wider = (await nearby(`lon=${here.lon}&lat=${here.lat}&radius=2000`)).json() as Nearby;
    assert.deepEqual(wider.items.map((i) => i.code), [codes.atPoint, codes.m500, codes.m1500]);
    const limited = (await nearby(`lon=${here.lon}&lat=${here.lat}&radius=2000&limit=1`)).json() as Nearby;
    assert.deepEqual([limited.items.length, limited.total], [1, 3]);
    const lights = (await nearby(`lon=${here.lon}&lat=${here.lat}&radius=2000&category=streetlight`)).json() as Nearby;
    assert.deepEqual(lights.items.map((i) => i.code), [codes.m500]);
  });

  it('shows no personal data and only a coarse position', async () => {
    const res = await nearby(`lon=${here.lon}&lat=${here.lat}&radius=3000`);
    // The centre is the caller's own point, echoed; the cases must not carry anything exact.
    const text = JSON.stringify((res.json() as Nearby).items);
    for (const secret of ['13912345678', '李四海', '幸福路', '3栋', '垃圾桶', 'contact', 'address', 'text', 'reporter', '113.950321', '22.600456']) {
      assert.ok(!text.includes(secret), `no "${secret}" in ${text}`);
    }
    for (const item of (res.json() as Nearby).items) {
      assert.deepEqual(Object.keys(item).sort(), ['categoryCode', 'code', 'createdAt', 'distanceM', 'lat', 'lon', 'place', 'status']);
      assert.equal(item.lon, Math.round(item.lon * 1000) / 1000, 'longitude to 3 decimals');
      assert.equal(item.lat, Math.round(item.lat * 1000) / 1000, 'latitude to 3 decimals');
    }
    const atPoint = (res.json() as Nearby).items.find((i) => i.code === codes.atPoint)!;
    assert.deepEqual([atPoint.lon, atPoint.lat], [113.95, 22.6]);
  });

  it('rejects bad input with 400 and an error code', async () => {
    for (const query of [
      `lon=${here.lon}`,
      `lat=${here.lat}`,
      `lon=east&lat=${here.lat}`,
      `lon=200&lat=${here.lat}`,
      `lon=${here.lon}&lat=${here.lat}&radius=5000`,
      `lon=${here.lon}&lat=${here.lat}&radius=10`,
      `lon=${here.lon}&lat=${here.lat}&limit=1000`,
      `lon=${here.lon}&lat=${here.lat}&category=DROP%20TABLE`,
      `lon=${here.lon}&lat=${here.lat}&contact=1`,
    ]) {
      const res = await nearby(query);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(res.json().error.code, 'validation_failed', query);
      assert.ok(res.json().error.message.length > 0);
    }
  });
});

describe('public map: rate limit', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestApp({ config: { publicRateLimitPerMinute: 3 } });
  });
  after(() => t.close());

  it('limits anonymous callers per address like every public route', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.app.inject({ method: 'GET', url: '/api/v1/public/appeals/nearby?lon=114.03&lat=22.55' })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/public/appeals/nearby?lon=114.03&lat=22.55' });
    assert.equal(res.json().error.code, 'rate_limited');
  });
});
