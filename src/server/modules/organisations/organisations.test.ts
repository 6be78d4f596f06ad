import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, organisation, smallCity } from '../../../../test/helpers/factories.ts';
import { events, organisations } from '../../db/schema.ts';

describe('organisations', () => {
  let t: TestContext;
  const cookies: Record<string, string> = {};
  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    await organisation(t.db, { code: 'CWS-C1', territoryCode: 'D1S1C1', type: 'community' });
    await organisation(t.db, { code: 'CWS-C2', territoryCode: 'D1S1C2', type: 'community' });
    await organisation(t.db, { code: 'CWS-C3', territoryCode: 'D2S1C1', type: 'community' });
    await account(t.db, { username: 'cityadmin', role: 'admin', territoryCode: '440300' });
    await account(t.db, { username: 'd2admin', role: 'admin', territoryCode: 'D2' });
    await account(t.db, { username: 'c1worker', role: 'community_worker', organisationCode: 'CWS-C1' });
    await account(t.db, { username: 'd1leader', role: 'leader', territoryCode: 'D1' });
    await account(t.db, { username: 'resident1', role: 'resident', territoryCode: '440300' });
    for (const u of ['cityadmin', 'd2admin', 'c1worker', 'd1leader', 'resident1']) cookies[u] = await login(t.app, u);
  });
  after(() => t.close());

  const list = (who: string, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/organisations${query}`, headers: { cookie: cookies[who]! } });

  it('lists only what lies in the caller’s scope', async () => {
    const worker = await list('c1worker');
    assert.equal(worker.statusCode, 200);
    assert.deepEqual(
      worker.json().items.map((o: { code: string }) => o.code),
      ['CWS-C1'],
    );
    const leader = await list('d1leader');
    assert.deepEqual(leader.json().items.map((o: { code: string }) => o.code).sort(), ['CWS-C1', 'CWS-C2']);
    const admin = await list('cityadmin');
    assert.equal(admin.json().total, 3);
  });

  it('refuses a community worker another community’s unit (403) and residents any (403)', async () => {
    const other = await t.db.select().from(organisations).where(eq(organisations.code, 'CWS-C2'));
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/organisations/${other[0]!.id}`, headers: { cookie: cookies.c1worker! } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'forbidden');
    const mine = await t.db.select().from(organisations).where(eq(organisations.code, 'CWS-C1'));
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/organisations/${mine[0]!.id}`, headers: { cookie: cookies.c1worker! } })).statusCode, 200);
    assert.equal((await list('resident1')).statusCode, 403);
    assert.equal((await list('c1worker', '?territory=D1S1C2')).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/organisations' })).statusCode, 401);
  });

  it('creates a party tree, checks nesting, and writes an audit row', async () => {
    const post = (who: string, body: object) => t.app.inject({ method: 'POST', url: '/api/v1/organisations', headers: { cookie: cookies[who]! }, payload: body });
    const committee = await post('cityadmin', { code: 'P-C1', kind: 'party', type: 'party_committee', nameZh: '西社区党委', territoryCode: 'D1S1C1' });
    assert.equal(committee.statusCode, 201, committee.body);
    const branch = await post('cityadmin', { code: 'P-C1-1', kind: 'party', type: 'branch', nameZh: '第一党支部', territoryCode: 'D1S1C1', parentId: committee.json().id });
    assert.equal(branch.statusCode, 201);
    const badNest = await post('cityadmin', { code: 'P-C1-X', kind: 'party', type: 'party_committee', nameZh: 'x', territoryCode: 'D1S1C1', parentId: branch.json().id });
    assert.equal(badNest.statusCode, 400);
    assert.equal(badNest.json().error.details[0].field, '/parentId');
    const badType = await post('cityadmin', { code: 'G-X', kind: 'government', type: 'spaceship', nameZh: 'x', territoryCode: 'D1S1C1' });
    assert.equal(badType.statusCode, 400);
    assert.equal(badType.json().error.details[0].field, '/type');
    const dup = await post('cityadmin', { code: 'P-C1', kind: 'party', type: 'branch', nameZh: 'x', territoryCode: 'D1S1C1' });
    assert.equal(dup.statusCode, 409);
    const audit = await t.db.select().from(events).where(and(eq(events.action, 'organisation.created'), eq(events.subjectId, committee.json().id)));
    assert.equal(audit.length, 1);
    assert.ok(audit[0]!.actorId);
    assert.equal(audit[0]!.territoryPath, '440300.D1.D1S1.D1S1C1');
  });

  it('lets a district admin manage only inside the district', async () => {
    const inside = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { cookie: cookies.d2admin! },
      payload: { code: 'PM-D2', kind: 'social', type: 'property_company', nameZh: '某物业', territoryCode: 'D2S1C1' },
    });
    assert.equal(inside.statusCode, 201);
    const outside = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { cookie: cookies.d2admin! },
      payload: { code: 'PM-D1', kind: 'social', type: 'property_company', nameZh: '某物业', territoryCode: 'D1S1C1' },
    });
    assert.equal(outside.statusCode, 403);
    assert.equal((await t.db.select().from(organisations).where(eq(organisations.code, 'PM-D1'))).length, 0);
    const move = await t.app.inject({ method: 'PATCH', url: `/api/v1/organisations/${inside.json().id}`, headers: { cookie: cookies.d2admin! }, payload: { territoryCode: 'D1S1C1' } });
    assert.equal(move.statusCode, 403, 'cannot move a unit out of the district');
    const leaderWrite = await t.app.inject({ method: 'PATCH', url: `/api/v1/organisations/${inside.json().id}`, headers: { cookie: cookies.d1leader! }, payload: { nameZh: 'x' } });
    assert.equal(leaderWrite.statusCode, 403);
  });

  it('deactivates a unit only when nothing active sits under it', async () => {
    const [committee] = await t.db.select().from(organisations).where(eq(organisations.code, 'P-C1'));
    const refused = await t.app.inject({ method: 'DELETE', url: `/api/v1/organisations/${committee!.id}`, headers: { cookie: cookies.cityadmin! } });
    assert.equal(refused.statusCode, 409);
    const [branch] = await t.db.select().from(organisations).where(eq(organisations.code, 'P-C1-1'));
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/organisations/${branch!.id}`, headers: { cookie: cookies.cityadmin! } })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/organisations/${committee!.id}`, headers: { cookie: cookies.cityadmin! } })).statusCode, 204);
    const hidden = await list('cityadmin', '?kind=party');
    assert.equal(hidden.json().total, 0);
    const shown = await list('cityadmin', '?kind=party&includeInactive=true');
    assert.equal(shown.json().total, 2);
  });
});
