import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { appealCity, nextSpot, pins, signInAll } from '../../../../test/helpers/appeal-fixture.ts';
import { account, login } from '../../../../test/helpers/factories.ts';

describe('categories and routing rules', () => {
  let t: TestContext;
  let req: Awaited<ReturnType<typeof signInAll>>;
  let fx: Awaited<ReturnType<typeof appealCity>>;
  let d1admin: string;
  let d2admin: string;
  before(async () => {
    t = await createTestApp();
    fx = await appealCity(t.db);
    await account(t.db, { username: 'd1admin', role: 'admin', territoryCode: 'D1' });
    await account(t.db, { username: 'd2admin', role: 'admin', territoryCode: 'D2' });
    await t.app.deps.territoryIndex.refresh();
    req = await signInAll(t.app);
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
