import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, inArray } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, organisation, smallCity } from '../../../../test/helpers/factories.ts';
import { systemContext } from '../../context.ts';
import { accounts, notifications, roleGrants } from '../../db/schema.ts';
import { coveringPaths, notifyAccounts, notifyLeaders, notifyOrganisation } from './notifications.service.ts';

describe('notifications', () => {
  let t: TestContext;
  const ids: Record<string, string> = {};
  const orgs: Record<string, string> = {};
  const cookies: Record<string, string> = {};

  const recipients = async (kind: string) =>
    (
      await t.db
        .select({ username: accounts.username })
        .from(notifications)
        .innerJoin(accounts, eq(accounts.id, notifications.accountId))
        .where(eq(notifications.kind, kind))
    )
      .map((r) => r.username)
      .sort();

  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    orgs.c1 = (await organisation(t.db, { code: 'CWS-C1', territoryCode: 'D1S1C1', type: 'community' })).id;
    orgs.c2 = (await organisation(t.db, { code: 'CWS-C2', territoryCode: 'D1S1C2', type: 'community' })).id;
    const staff = [
      { username: 'c1handler', role: 'handler', organisationCode: 'CWS-C1' },
      { username: 'c1worker', role: 'community_worker', organisationCode: 'CWS-C1' },
      { username: 'c1gone', role: 'handler', organisationCode: 'CWS-C1' },
      { username: 'c2handler', role: 'handler', organisationCode: 'CWS-C2' },
      { username: 's1leader', role: 'leader', territoryCode: 'D1S1' },
      { username: 's1leader2', role: 'leader', territoryCode: 'D1S1' },
      { username: 'd1leader', role: 'leader', territoryCode: 'D1' },
      { username: 'd2leader', role: 'leader', territoryCode: 'D2' },
      { username: 'cityleader', role: 'leader', territoryCode: '440300' },
      { username: 'resident1', role: 'resident', territoryCode: '440300' },
      { username: 'resident2', role: 'resident', territoryCode: '440300' },
    ] as const;
    for (const s of staff) ids[s.username] = (await account(t.db, s)).id;
    // A second role in the same unit must not mean a second notification.
    const [c1] = await t.db.select().from(roleGrants).where(eq(roleGrants.accountId, ids.c1handler!));
    await t.db.insert(roleGrants).values({ accountId: ids.c1handler!, role: 'dispatcher', territoryId: c1!.territoryId, scopePath: c1!.scopePath, organisationId: orgs.c1! });
    await t.db.update(accounts).set({ status: 'disabled' }).where(eq(accounts.id, ids.c1gone!));
    for (const u of ['resident1', 'resident2', 'c1handler']) cookies[u] = await login(t.app, u);
  });
  after(() => t.close());

  it('fans a unit notice out to that unit’s active members only, once each', async () => {
    const ctx = systemContext(t.clock());
    const written = await t.db.transaction((tx) =>
      notifyOrganisation(tx, ctx, orgs.c1!, { kind: 'test.unit', title: '新工单', subjectType: 'appeal', subjectId: 'A1', data: { code: '123' } }),
    );
    assert.equal(written, 2);
    assert.deepEqual(await recipients('test.unit'), ['c1handler', 'c1worker']);
    const [row] = await t.db.select().from(notifications).where(eq(notifications.kind, 'test.unit')).limit(1);
    assert.equal(row!.organisationId, orgs.c1);
    assert.equal(row!.subjectId, 'A1');
    assert.deepEqual(row!.data, { code: '123' });
    assert.equal(row!.createdAt.toISOString(), ctx.now.toISOString());
    assert.equal(row!.readAt, null);
  });

  it('filters a unit notice by role and leaves out named members', async () => {
    const ctx = systemContext(t.clock());
    assert.equal(await notifyOrganisation(t.db, ctx, orgs.c1!, { kind: 'test.role', title: 'x' }, { roles: ['handler'] }), 1);
    assert.deepEqual(await recipients('test.role'), ['c1handler']);
    assert.equal(await notifyOrganisation(t.db, ctx, orgs.c1!, { kind: 'test.except', title: 'x' }, { exceptAccountIds: [ids.c1handler!] }), 1);
    assert.deepEqual(await recipients('test.except'), ['c1worker']);
    assert.equal(await notifyOrganisation(t.db, ctx, orgs.c2!, { kind: 'test.none', title: 'x' }, { roles: ['leader'] }), 0);
  });

  it('notifies the leaders of the nearest level that has any', async () => {
    const ctx = systemContext(t.clock());
    assert.deepEqual(coveringPaths('a.b.c'), ['a', 'a.b', 'a.b.c']);
    // A grid in D1's street: the street has two leaders, so not the district's or the city's.
    assert.equal(await notifyLeaders(t.db, ctx, '440300.D1.D1S1.D1S1C1.D1S1C1G1', { kind: 'test.lead1', title: 'x' }), 2);
    assert.deepEqual(await recipients('test.lead1'), ['s1leader', 's1leader2']);
    // D2's street has no leader: the district's.
    await notifyLeaders(t.db, ctx, '440300.D2.D2S1.D2S1C1', { kind: 'test.lead2', title: 'x' });
    assert.deepEqual(await recipients('test.lead2'), ['d2leader']);
    // A district with no leader: the city's. The district itself: its leader.
    await notifyLeaders(t.db, ctx, '440300.D9.D9S1', { kind: 'test.lead3', title: 'x' });
    assert.deepEqual(await recipients('test.lead3'), ['cityleader']);
    await notifyLeaders(t.db, ctx, '440300.D1', { kind: 'test.lead4', title: 'x' });
    assert.deepEqual(await recipients('test.lead4'), ['d1leader']);
    assert.equal(await notifyLeaders(t.db, ctx, 'ELSEWHERE.X', { kind: 'test.lead5', title: 'x' }), 0);
  });

  it('notifies named accounts once each, skips unknown ones, and rolls back with the caller', async () => {
    const ctx = systemContext(t.clock());
    const unknown = '00000000-0000-4000-8000-000000000000';
    assert.equal(await notifyAccounts(t.db, ctx, [ids.resident1!, ids.resident1!, unknown, ids.c1gone!], { kind: 'test.acc', title: 'x' }), 1);
    assert.deepEqual(await recipients('test.acc'), ['resident1']);
    assert.equal(await notifyAccounts(t.db, ctx, [], { kind: 'test.acc', title: 'x' }), 0);
    await assert.rejects(() => notifyAccounts(t.db, ctx, ['not-a-uuid'], { kind: 'test.bad', title: 'x' }), /not a uuid/);
    await assert.rejects(
      t.db.transaction(async (tx) => {
        await notifyAccounts(tx, ctx, [ids.resident2!], { kind: 'test.rollback', title: 'x' });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.deepEqual(await recipients('test.rollback'), []);
  });

  describe('over HTTP', () => {
    const get = (who: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });
    const read = (who: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: { cookie: cookies[who]! }, payload });

    before(async () => {
      const ctx = systemContext(t.clock());
      for (let i = 1; i <= 5; i++) await notifyAccounts(t.db, ctx, [ids.resident2!], { kind: 'test.http', title: `第${i}条`, body: 'b' });
      await notifyAccounts(t.db, ctx, [ids.c1handler!], { kind: 'test.other', title: 'not yours' });
    });

    it('pages my notifications newest first with a cursor', async () => {
      const first = await get('resident2', '/api/v1/notifications?limit=2');
      assert.equal(first.statusCode, 200, first.body);
      const page1 = first.json();
      assert.deepEqual(
        page1.items.map((n: { title: string }) => n.title),
        ['第5条', '第4条'],
      );
      assert.equal(page1.nextBefore, page1.items[1].id);
      const page2 = (await get('resident2', `/api/v1/notifications?limit=2&before=${page1.nextBefore}`)).json();
      assert.deepEqual(
        page2.items.map((n: { title: string }) => n.title),
        ['第3条', '第2条'],
      );
      const page3 = (await get('resident2', `/api/v1/notifications?limit=2&before=${page2.nextBefore}`)).json();
      assert.deepEqual(
        page3.items.map((n: { title: string }) => n.title),
        ['第1条'],
      );
      assert.equal(page3.nextBefore, null);
      assert.equal(page1.items[0].readAt, null);
      assert.equal(page1.items[0].body, 'b');
      assert.equal((await get('resident2', '/api/v1/notifications?limit=0')).statusCode, 400);
    });

    it('counts and marks read, some or all', async () => {
      assert.deepEqual((await get('resident2', '/api/v1/notifications/unread-count')).json(), { count: 5 });
      const list = (await get('resident2', '/api/v1/notifications')).json();
      const two = list.items.slice(0, 2).map((n: { id: number }) => n.id);
      const res = await read('resident2', { ids: two });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { updated: 2, unreadCount: 3 });
      assert.deepEqual((await read('resident2', { ids: two })).json(), { updated: 0, unreadCount: 3 });
      const unread = (await get('resident2', '/api/v1/notifications?unreadOnly=true')).json();
      assert.equal(unread.items.length, 3);
      assert.ok(!unread.items.some((n: { id: number }) => two.includes(n.id)));
      const marked = (await get('resident2', '/api/v1/notifications')).json().items.find((n: { id: number }) => n.id === two[0]);
      assert.equal(marked.readAt, t.clock().toISOString());
      assert.deepEqual((await read('resident2', { all: true })).json(), { updated: 3, unreadCount: 0 });
    });

    it('never shows or marks another person’s notifications', async () => {
      const theirs = await t.db.select().from(notifications).where(eq(notifications.accountId, ids.c1handler!));
      const theirIds = theirs.map((n) => n.id);
      assert.ok(theirIds.length > 0);
      const mine = (await get('resident1', '/api/v1/notifications?limit=200')).json();
      assert.ok(mine.items.every((n: { id: number }) => !theirIds.includes(n.id)));
      assert.deepEqual(
        mine.items.map((n: { kind: string }) => n.kind),
        ['test.acc'],
      );
      assert.deepEqual((await read('resident1', { ids: theirIds })).json(), { updated: 0, unreadCount: 1 });
      assert.equal((await read('resident1', { all: true })).json().updated, 1);
      const after = await t.db.select().from(notifications).where(inArray(notifications.id, theirIds));
      assert.ok(after.every((n) => n.readAt === null));
      assert.equal((await get('c1handler', '/api/v1/notifications/unread-count')).json().count, theirIds.length);
    });

    it('refuses anonymous callers and bad bodies', async () => {
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/notifications' })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/notifications/unread-count' })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', payload: { all: true } })).statusCode, 401);
      const empty = await read('resident1', {});
      assert.equal(empty.statusCode, 400);
      assert.equal(empty.json().error.details[0].field, '/ids');
      assert.equal((await read('resident1', { ids: [1], all: true })).statusCode, 400);
      assert.equal((await read('resident1', { ids: [] })).statusCode, 400);
      assert.equal((await read('resident1', { ids: ['x'] })).statusCode, 400);
    });
  });
});
