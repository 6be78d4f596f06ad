import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type TestContext } from '../../../../test/helpers/app.ts';
import { appealTestApp, type AppealTestApp, nextSpot, pins } from '../../../../test/helpers/appeal-fixture.ts';
import { account, login } from '../../../../test/helpers/factories.ts';

describe('categories and routing rules', () => {
  let t: TestContext;
  let req: AppealTestApp['req'];
  let fx: AppealTestApp['fx'];
  let d1admin: string;
  let d2admin: string;
  before(async () => {
    ({ t, fx, req } = await appealTestApp());
    await account(t.db, { username: 'd1admin', role: 'admin', territoryCode: 'D1' });
    await account(t.db, { username: 'd2admin', role: 'admin', territoryCode: 'D2' });
    d1admin = await login(t.app, 'd1admin');
    d2admin = await login(t.app, 'd2admin');
  });
  after(() => t.close());

  it('lists the shipped taxonomy', async () => {
    const res = await t.app.inject('/api/v1/categories');
    assert.equal(res.statusCode, 200);
    const leaf = res.json().find((c: { code: string }) => c.code === 'garbage_collection');
    assert.equal(leaf.deptType, 'street_enforcement');
    assert.equal(leaf.level, 'street');
  });

  it('routes by the units as they are now: a unit deactivated or created is seen by the next case', async () => {
    // A category whose unit type the fixture city lacks.
    const present = ['hotline_center', 'street_enforcement', 'water', 'community'];
    const category = (await t.app.inject('/api/v1/categories'))
      .json()
      .find((c: { deptType: string | null; level: string | null }) => c.deptType && !present.includes(c.deptType) && ['street', 'community', 'district'].includes(c.level ?? ''));
    const report = () => req('resident', 'POST', '/api/v1/appeals', { text: '这里的问题需要有关单位来处理', categoryCode: category.code, location: nextSpot() });
    assert.equal((await report()).json().status, 'submitted', 'no unit of that type here yet: the dispatch queue');
    const territoryCode = { street: 'D1S1', community: 'D1S1C1', district: 'D1' }[category.level as string]!;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { cookie: d1admin },
      payload: { code: 'NEW-UNIT', kind: 'government', type: category.deptType, nameZh: '新设单位', territoryCode },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await report()).json().status, 'dispatched', 'the new unit is used at once');
    const off = await t.app.inject({ method: 'DELETE', url: `/api/v1/organisations/${created.json().id}`, headers: { cookie: d1admin } });
    assert.ok(off.statusCode < 300, off.body);
    assert.equal((await report()).json().status, 'submitted', 'a deactivated unit gets no more cases');
  });

  it('a district override sends a category to another unit, recorded on the case', async () => {
    const rule = await t.app.inject({
      method: 'POST',
      url: '/api/v1/routing-rules',
      headers: { cookie: d1admin },
      payload: { categoryCode: 'garbage_collection', territoryCode: 'D1', level: 'community', deptType: 'community', note: '本区垃圾清运由社区先行处置' },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    const outside = await t.app.inject({ method: 'POST', url: '/api/v1/routing-rules', headers: { cookie: d2admin }, payload: { categoryCode: 'garbage_collection', territoryCode: 'D1', level: 'community', deptType: 'community' } });
    assert.equal(outside.statusCode, 403);
    const res = await req('resident', 'POST', '/api/v1/appeals', { text: '垃圾堆积', categoryCode: 'garbage_collection', location: nextSpot() });
    const view = (await req('dispatcher', 'GET', `/api/v1/appeals/${res.json().id}`)).json();
    assert.equal(view.leadUnit.id, fx.orgs.cws1.id);
    assert.equal(view.routeRule, `rule:${rule.json().id}`);
    assert.match(view.routeReason, /routing rule/);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/routing-rules/${rule.json().id}`, headers: { cookie: d1admin } })).statusCode, 204);
    const after = await req('resident', 'POST', '/api/v1/appeals', { text: '垃圾堆积', categoryCode: 'garbage_collection', location: nextSpot() });
    assert.equal((await req('dispatcher', 'GET', `/api/v1/appeals/${after.json().id}`)).json().leadUnit.id, fx.orgs.enf.id);
  });

  it('lets only city administrators edit categories; a category without a unit goes to the dispatch queue', async () => {
    assert.equal((await t.app.inject({ method: 'PATCH', url: '/api/v1/categories/pets', headers: { cookie: d1admin }, payload: { resolveDays: 4 } })).statusCode, 403);
    await account(t.db, { username: 'cityadmin', role: 'admin', territoryCode: '440300' });
    const city = await login(t.app, 'cityadmin');
    const ok = await t.app.inject({ method: 'PATCH', url: '/api/v1/categories/pets', headers: { cookie: city }, payload: { deptType: 'health', level: 'district' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const res = await req('resident', 'POST', '/api/v1/appeals', { text: '楼下有人遛狗不牵绳', categoryCode: 'pets', location: pins.c1 });
    assert.equal(res.json().status, 'submitted', 'no health unit in D1: a dispatcher places it');
    assert.match(res.json().routeReason, /No health unit/);
  });
});
