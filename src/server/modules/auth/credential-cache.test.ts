import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { freshDatabase } from '../../../../test/helpers/app.ts';
import { account, smallCity } from '../../../../test/helpers/factories.ts';
import type { Database } from '../../db/client.ts';
import { accounts, apiTokens, roleGrants } from '../../db/schema.ts';
import { readVersion } from '../../db/versions.ts';
import { systemContext } from '../../context.ts';
import { actorFromApiToken, createApiToken } from './auth.service.ts';
import { cachedCredential, credentialsChanged } from './credential-cache.ts';

describe('API tokens kept in memory', () => {
  let database: Database;
  let drop: () => Promise<void>;
  before(async () => {
    ({ database, drop } = await freshDatabase());
    await smallCity(database.db);
  });
  after(() => drop());

  const authVersion = () => readVersion(database.db, 'auth_version');

  it('moves auth_version on changes to tokens, accounts and grants, not on use', async () => {
    const db = database.db;
    const holder = await account(db, { username: 'bridge', role: 'operator', territoryCode: '440300' });
    const { token, id } = await createApiToken(db, systemContext(), { accountId: holder.id, name: 'bridge', rateLimitPerMinute: null });
    let v = await authVersion();
    const moved = async (what: string, change: () => Promise<unknown>, expected: boolean) => {
      await change();
      const now = await authVersion();
      assert.equal(now !== v, expected, what);
      v = now;
    };
    await moved('a token used (last_used_at)', () => actorFromApiToken(db, token, new Date()), false);
    await moved('last_used_at written', () => db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, id)), false);
    await moved('a sign-in (last_login_at)', () => db.update(accounts).set({ lastLoginAt: new Date() }).where(eq(accounts.id, holder.id)), false);
    await moved('a rate limit set', () => db.update(apiTokens).set({ rateLimitPerMinute: 10 }).where(eq(apiTokens.id, id)), true);
    await moved('an account renamed', () => db.update(accounts).set({ displayName: '热线对接' }).where(eq(accounts.id, holder.id)), true);
    await moved('a role withdrawn', () => db.delete(roleGrants).where(eq(roleGrants.accountId, holder.id)), true);
    await moved('a token revoked', () => db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id)), true);
  });

  it('answers from memory while the counter stands still, re-reads it every second, and drops all on a change', async () => {
    const db = database.db;
    let lookups = 0;
    const resolve = (value: string | null) => async () => {
      lookups++;
      return value;
    };
    const t0 = Date.now() + 10_000;
    assert.equal(await cachedCredential(db, 'k1', resolve('alice'), t0), 'alice');
    assert.equal(await cachedCredential(db, 'k1', resolve('stale'), t0 + 10), 'alice');
    assert.equal(lookups, 1);

    // A change made by another process: not seen until the counter is read again (≤ 1 s).
    const holder = await account(db, { username: 'other_process', role: 'operator', territoryCode: '440300' });
    assert.equal(await cachedCredential(db, 'k1', resolve('bob'), t0 + 900), 'alice');
    assert.equal(await cachedCredential(db, 'k1', resolve('bob'), t0 + 1000), 'bob');
    assert.equal(lookups, 2);

    // A change made by this process: seen at once.
    await db.update(accounts).set({ status: 'disabled' }).where(eq(accounts.id, holder.id));
    credentialsChanged();
    assert.equal(await cachedCredential(db, 'k1', resolve('carol'), t0 + 1010), 'carol');

    // Unknown credentials are not kept; known ones are resolved again after a minute.
    assert.equal(await cachedCredential(db, 'nobody', resolve(null), t0 + 1020), null);
    assert.equal(await cachedCredential(db, 'nobody', resolve('dave'), t0 + 1030), 'dave');
    assert.equal(await cachedCredential(db, 'k1', resolve('erin'), t0 + 1010 + 59_000), 'carol');
    assert.equal(await cachedCredential(db, 'k1', resolve('erin'), t0 + 1010 + 60_000), 'erin');
  });

  it('a lookup that began before the entries were dropped does not keep its answer', async () => {
    const db = database.db;
    const t0 = Date.now() + 200_000;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = cachedCredential(db, 'k2', async () => {
      await gate;
      return 'before the change';
    }, t0);
    await new Promise((r) => setTimeout(r, 20));
    credentialsChanged();
    // This caller checks again (and drops everything) while the slow lookup is still out.
    assert.equal(await cachedCredential(db, 'k3', async () => 'x', t0 + 1), 'x');
    release();
    assert.equal(await slow, 'before the change', 'its own caller still gets it');
    assert.equal(await cachedCredential(db, 'k2', async () => 'after the change', t0 + 2), 'after the change');
  });
});
