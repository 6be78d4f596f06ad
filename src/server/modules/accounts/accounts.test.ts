import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, organisation, smallCity, testPassword } from '../../../../test/helpers/factories.ts';
import { accounts, events } from '../../db/schema.ts';

describe('accounts and scoped roles', () => {
  let t: TestContext;
  const cookie: Record<string, string> = {};
  const ids: Record<string, string> = {};
  before(async () => {
    t = await createTestApp({ config: { publicRateLimitPerMinute: 50 } });
    await smallCity(t.db);
    await organisation(t.db, { code: 'CWS-C1', territoryCode: 'D1S1C1', type: 'community' });
    const made = {
      cityadmin: await account(t.db, { username: 'cityadmin', role: 'admin', territoryCode: '440300' }),
      d1admin: await account(t.db, { username: 'd1admin', role: 'admin', territoryCode: 'D1' }),
      d1leader: await account(t.db, { username: 'd1leader', role: 'leader', territoryCode: 'D1' }),
      c1worker: await account(t.db, { username: 'c1worker', role: 'community_worker', organisationCode: 'CWS-C1', phone: '13912345678' }),
      d2handler: await account(t.db, { username: 'd2handler', role: 'handler', territoryCode: 'D2S1' }),
    };
    for (const [k, v] of Object.entries(made)) {
      ids[k] = v.id;
      cookie[k] = await login(t.app, k);
    }
  });
  after(() => t.close());

  const req = (who: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { cookie: cookie[who]! }, ...(payload && { payload }) });

  it('shows a district leader the district’s accounts with masked phones, and not the other district', async () => {
    const res = await req('d1leader', 'GET', '/api/v1/accounts');
    assert.equal(res.statusCode, 200);
    const names = res.json().items.map((a: { username: string }) => a.username).sort();
    assert.deepEqual(names, ['c1worker', 'd1admin', 'd1leader']);
    const worker = res.json().items.find((a: { username: string }) => a.username === 'c1worker');
    assert.equal(worker.phone, '139****5678');
    assert.equal((await req('d1leader', 'GET', `/api/v1/accounts/${ids.d2handler}`)).statusCode, 404);
    assert.equal((await req('c1worker', 'GET', '/api/v1/accounts')).statusCode, 403);
    const self = await req('c1worker', 'GET', `/api/v1/accounts/${ids.c1worker}`);
    assert.equal(self.statusCode, 200);
    assert.equal(self.json().phone, '13912345678', 'people see their own number');
  });

  it('lets a district admin create staff in the district only, atomically', async () => {
    const ok = await req('d1admin', 'POST', '/api/v1/accounts', {
      username: 'newgrid',
      displayName: '网格员甲',
      password: 'grid12345',
      grants: [{ role: 'grid_worker', territoryCode: 'D1S1C1G1' }],
    });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().grants[0].scopePath, '440300.D1.D1S1.D1S1C1.D1S1C1G1');
    const mixed = await req('d1admin', 'POST', '/api/v1/accounts', {
      username: 'sneaky',
      displayName: 'x',
      password: 'grid12345',
      grants: [
        { role: 'handler', territoryCode: 'D1S1' },
        { role: 'handler', territoryCode: 'D2S1' },
      ],
    });
    assert.equal(mixed.statusCode, 403);
    assert.equal((await t.db.select().from(accounts).where(eq(accounts.username, 'sneaky'))).length, 0, 'nothing half-written');
    const badScope = await req('d1admin', 'POST', '/api/v1/accounts', { username: 'x1x', displayName: 'x', password: 'grid12345', grants: [{ role: 'handler', territoryCode: 'NOPE' }] });
    assert.equal(badScope.statusCode, 400);
    assert.equal(badScope.json().error.details[0].field, '/grants/0/territoryCode');
  });

  it('refuses a district admin accounts reaching beyond the district, allows the city admin to disable a worker', async () => {
    // The city admin is not even visible from the district: 404, not a hint that it exists.
    assert.equal((await req('d1admin', 'PATCH', `/api/v1/accounts/${ids.cityadmin}`, { status: 'disabled' })).statusCode, 404);
    const split = await account(t.db, { username: 'split', role: 'handler', territoryCode: 'D1S1' });
    await req('cityadmin', 'POST', `/api/v1/accounts/${split.id}/grants`, { role: 'handler', territoryCode: 'D2S1' });
    const refused = await req('d1admin', 'PATCH', `/api/v1/accounts/${split.id}`, { status: 'disabled' });
    assert.equal(refused.statusCode, 403, 'one of its roles lies in another district');
    assert.equal((await t.db.select().from(accounts).where(eq(accounts.id, split.id)))[0]!.status, 'active');
    const worker = await login(t.app, 'd2handler');
    const res = await req('cityadmin', 'PATCH', `/api/v1/accounts/${ids.d2handler}`, { status: 'disabled' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'disabled');
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: worker } });
    assert.equal(after.statusCode, 401, 'sessions of a disabled account end at once');
    const relogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'd2handler', password: testPassword } });
    assert.equal(relogin.statusCode, 403);
    assert.equal(relogin.json().error.code, 'account_disabled');
  });

  it('grants and withdraws a role; the new scope takes effect on the next request, by session and by token', async () => {
    const token = (await req('cityadmin', 'POST', `/api/v1/accounts/${ids.c1worker}/tokens`, { name: 'worker app', rateLimitPerMinute: null })).json().token;
    const both = async () => [
      (await req('c1worker', 'GET', '/api/v1/organisations?territory=D1S1C2')).statusCode,
      (await t.app.inject({ method: 'GET', url: '/api/v1/organisations?territory=D1S1C2', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ];
    assert.deepEqual(await both(), [403, 403]);
    const g = await req('d1admin', 'POST', `/api/v1/accounts/${ids.c1worker}/grants`, { role: 'community_worker', territoryCode: 'D1S1C2' });
    assert.equal(g.statusCode, 201);
    assert.deepEqual(await both(), [200, 200]);
    const dup = await req('d1admin', 'POST', `/api/v1/accounts/${ids.c1worker}/grants`, { role: 'community_worker', territoryCode: 'D1S1C2' });
    assert.equal(dup.statusCode, 409);
    assert.equal((await req('d1admin', 'DELETE', `/api/v1/accounts/${ids.c1worker}/grants/${g.json().id}`)).statusCode, 204);
    assert.deepEqual(await both(), [403, 403]);
  });

  it('issues API tokens that authenticate, are rate-limited as set, and stop when revoked', async () => {
    const limited = await req('cityadmin', 'POST', `/api/v1/accounts/${ids.d1leader}/tokens`, { name: 'hotline bridge', rateLimitPerMinute: 3 });
    assert.equal(limited.statusCode, 201);
    const bearer = { authorization: `Bearer ${limited.json().token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const unlimited = await req('cityadmin', 'POST', `/api/v1/accounts/${ids.d1leader}/tokens`, { name: 'bench', rateLimitPerMinute: null });
    const free = { authorization: `Bearer ${unlimited.json().token}` };
    for (let i = 0; i < 60; i++) assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: free })).statusCode, 200);
    const list = await req('cityadmin', 'GET', `/api/v1/accounts/${ids.d1leader}/tokens`);
    assert.equal(list.json().length, 2);
    assert.ok(!JSON.stringify(list.json()).includes(unlimited.json().token), 'the secret is never listed');
    assert.equal((await req('cityadmin', 'DELETE', `/api/v1/accounts/${ids.d1leader}/tokens/${unlimited.json().id}`)).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: free })).statusCode, 401);
  });

  it('rate-limits anonymous callers per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 55; i++) codes.push((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: '10.9.9.9' })).statusCode);
    assert.equal(codes.filter((c) => c === 401).length, 50);
    assert.equal(codes.filter((c) => c === 429).length, 5);
  });

  it('writes an audit row for every mutation, readable within scope', async () => {
    const actions = (await t.db.select().from(events)).map((e) => e.action);
    for (const a of ['account.created', 'account.disabled', 'account.role_granted', 'account.role_revoked', 'auth.token_created', 'auth.token_revoked']) {
      assert.ok(actions.includes(a), `missing ${a}`);
    }
    const d1 = await req('d1admin', 'GET', '/api/v1/audit?subjectType=account');
    assert.equal(d1.statusCode, 200);
    assert.ok(d1.json().items.length > 0);
    assert.ok(d1.json().items.every((e: { territoryPath: string }) => e.territoryPath.startsWith('440300.D1')));
    const city = await req('cityadmin', 'GET', '/api/v1/audit?action=auth.logged_in');
    assert.ok(city.json().items.length >= 5, 'root scope sees events with no territory');
    assert.equal((await req('c1worker', 'GET', '/api/v1/audit')).statusCode, 403);
  });
});
