// Every role meets a refusal for what it may not do to a case in community C1 (district D1).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { appealCity, pins, signInAll } from '../../../../test/helpers/appeal-fixture.ts';
import { account, login, organisation } from '../../../../test/helpers/factories.ts';

describe('appeal permissions by role', () => {
  let t: TestContext;
  let req: Awaited<ReturnType<typeof signInAll>>;
  const extra: Record<string, string> = {};
  let id = '';
  let enfId = '';
  before(async () => {
    t = await createTestApp();
    const fx = await appealCity(t.db);
    enfId = fx.orgs.enf.id;
    await organisation(t.db, { code: 'P-C1', territoryCode: 'D1S1C1', type: 'branch', kind: 'party' });
    await account(t.db, { username: 'member', role: 'party_member', organisationCode: 'P-C1' });
    await account(t.db, { username: 'd2leader', role: 'leader', territoryCode: 'D2' });
    await account(t.db, { username: 'admin', role: 'admin', territoryCode: '440300' });
    await t.app.deps.territoryIndex.refresh();
    req = await signInAll(t.app);
    for (const u of ['member', 'd2leader', 'admin']) extra[u] = await login(t.app, u);
    id = (await req('resident', 'POST', '/api/v1/appeals', { text: '垃圾没有清运', categoryCode: 'garbage_collection', location: pins.c1 })).json().id;
  });
  after(() => t.close());

  const as = (who: string, method: 'GET' | 'POST', path: string, payload?: object) =>
    extra[who]
      ? t.app.inject({ method, url: `/api/v1/appeals/${id}${path}`, headers: { cookie: extra[who]! }, ...(payload && { payload }) })
      : req(who as never, method, `/api/v1/appeals/${id}${path}`, payload);

  const refusals: [who: string, method: 'GET' | 'POST', path: string, body: object | undefined, status: number][] = [
    ['resident2', 'GET', '', undefined, 404],
    ['resident2', 'POST', '/sign', undefined, 403],
    ['resident2', 'POST', '/urge', {}, 403],
    ['resident', 'POST', '/sign', undefined, 403],
    ['resident', 'POST', '/close', {}, 403],
    ['member', 'GET', '', undefined, 404],
    ['member', 'POST', '/sign', undefined, 403],
    ['gridworker', 'POST', '/dispatch', { organisationId: '00000000-0000-0000-0000-000000000000' }, 403],
    ['gridworker', 'POST', '/close', {}, 403],
    ['c2worker', 'GET', '', undefined, 404],
    ['c2worker', 'POST', '/sign', undefined, 403],
    ['water', 'POST', '/sign', undefined, 403],
    ['water', 'POST', '/return', { reason: '不是我们单位的事情' }, 403],
    ['dispatcher', 'POST', '/sign', undefined, 403],
    ['dispatcher', 'POST', '/reply', { text: '调度员不能代替回复' }, 403],
    ['operator', 'POST', '/sign', undefined, 403],
    ['operator', 'POST', '/supervise', {}, 403],
    ['d2leader', 'GET', '', undefined, 404],
    ['d2leader', 'POST', '/urge', {}, 403],
    ['d2leader', 'POST', '/supervise', {}, 403],
    ['leader', 'POST', '/sign', undefined, 403],
    ['leader', 'POST', '/reveal-contact', undefined, 403],
    ['admin', 'POST', '/sign', undefined, 403],
    ['admin', 'POST', '/reveal-contact', undefined, 403],
  ];

  it('refuses each role what it may not do', async () => {
    for (const [who, method, path, body, status] of refusals) {
      const res = await as(who, method, path, body);
      assert.equal(res.statusCode, status, `${who} ${method} ${path}: ${res.body}`);
    }
  });

  it('and grants what each may do', async () => {
    assert.equal((await as('gridworker', 'GET', '')).statusCode, 200, 'the grid sees cases in it');
    assert.equal((await as('operator', 'POST', '/urge', {})).json().urgeCount, 1);
    assert.equal((await as('leader', 'POST', '/supervise', { note: '请加快处理' })).json().supervised, true);
    const view = (await as('handler', 'GET', '')).json();
    assert.equal(view.leadUnit.id, enfId);
    assert.ok(view.allowedActions.includes('sign') && view.allowedActions.includes('return'));
    assert.ok(!view.allowedActions.includes('dispatch') && !view.allowedActions.includes('close'));
    assert.equal((await as('handler', 'POST', '/sign')).json().status, 'signed');
  });
});
