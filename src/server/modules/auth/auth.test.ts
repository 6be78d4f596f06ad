import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { account, login, smallCity, testPassword } from '../../../../test/helpers/factories.ts';
import { events, loginThrottle, sessions } from '../../db/schema.ts';

describe('auth', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestApp();
    await smallCity(t.db);
    await account(t.db, { username: 'worker', role: 'community_worker', territoryCode: 'D1S1C1' });
  });
  after(() => t.close());

  it('signs a resident up by phone, then signs in and reads /me', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: { phone: '13800000001', password: 'abc12345', displayName: '王小明' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().grants[0].role, 'resident');
    assert.equal(res.json().grants[0].scopePath, '440300');
    const cookie = await login(t.app, '13800000001', 'abc12345');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().displayName, '王小明');
  });

  it('rejects a duplicate phone with 409 and a weak password with 400 naming the field', async () => {
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: { phone: '13800000001', password: 'abc12345', displayName: 'x' } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().error.code, 'already_exists');
    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: { phone: '13800000002', password: 'abcdefgh', displayName: 'x' } });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.details[0].field, '/password');
    const badPhone = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: { phone: '123', password: 'abc12345', displayName: 'x' } });
    assert.equal(badPhone.statusCode, 400);
    assert.equal(badPhone.json().error.code, 'validation_failed');
    assert.match(badPhone.json().error.details[0].field, /phone/);
  });

  it('sets an httpOnly SameSite cookie and revokes the session on logout', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'worker', password: testPassword } });
    const c = res.cookies.find((x) => x.name === 'gz_session')!;
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Lax');
    const cookie = `gz_session=${c.value}`;
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode, 204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().error.code, 'unauthenticated');
  });

  it('lists my sessions and revokes another one of them', async () => {
    const a = await login(t.app, 'worker');
    const b = await login(t.app, 'worker');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: { cookie: a } });
    const other = list.json().find((s: { current: boolean }) => !s.current);
    assert.ok(list.json().length >= 2);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${other.id}`, headers: { cookie: a } });
    assert.equal(del.statusCode, 204);
    const stillA = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: a } });
    assert.equal(stillA.statusCode, 200);
    // b was the newest other session only if it was picked; check revoked rows exist instead.
    const revoked = await t.db.select().from(sessions).where(eq(sessions.id, other.id));
    assert.ok(revoked[0]!.revokedAt);
    void b;
  });

  it('locks an account after five failures, backs off, and unlocks later', async () => {
    await account(t.db, { username: 'victim' });
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'victim', password: 'wrong-pass1' } });
      assert.equal(r.statusCode, 401, `attempt ${i + 1}`);
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'victim', password: testPassword } });
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().error.code, 'rate_limited');
    assert.equal(locked.headers['retry-after'], '30');
    t.clock.advance(31_000);
    // One more failure doubles the lock to 60 s.
    const sixth = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'victim', password: 'wrong-pass1' } });
    assert.equal(sixth.statusCode, 401);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'victim', password: testPassword } });
    assert.equal(again.statusCode, 429);
    assert.equal(again.headers['retry-after'], '60');
    t.clock.advance(61_000);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { identifier: 'victim', password: testPassword } });
    assert.equal(ok.statusCode, 200);
    const rows = await t.db.select().from(loginThrottle).where(eq(loginThrottle.key, 'id:victim'));
    assert.equal(rows.length, 0, 'a success clears the account key');
  });

  it('records failed and successful logins as audit events', async () => {
    const rows = await t.db.select().from(events).where(eq(events.action, 'auth.login_failed'));
    assert.ok(rows.length >= 5);
    assert.ok(rows.every((r) => r.ip !== null && r.requestId !== null));
    const ok = await t.db.select().from(events).where(eq(events.action, 'auth.logged_in'));
    assert.ok(ok.length >= 1);
  });

  it('refuses a malformed or unknown bearer token', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Token abc' } });
    assert.equal(bad.statusCode, 401);
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Bearer gzt_nope' } });
    assert.equal(unknown.statusCode, 401);
  });
});
